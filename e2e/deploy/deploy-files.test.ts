import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEchoUpstream, waitForPort, type EchoUpstream } from '@duotoken/test-kit';
import { BIN, startServe, type ServerProcess } from '../cli/cli-process.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(REPO, 'deploy');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');
const which = (name: string) =>
  [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
const nginxBinary = which('nginx');
const systemdAnalyze = which('systemd-analyze');
const openssl = which('openssl');
if (!nginxBinary || !openssl)
  console.warn('deploy e2e: nginx or openssl missing, the nginx example is NOT RUN (apt-get install nginx-light openssl)');
if (!systemdAnalyze) console.warn('deploy e2e: systemd-analyze missing, the systemd unit is NOT VERIFIED (apt-get install systemd)');

/** A self-signed certificate for `names` (DNS names and IP addresses), valid one day, in `dir`. */
async function selfSignedCertificate(dir: string, names: string[]): Promise<void> {
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const files = ['-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem')];
  await run(openssl!, ['req', '-x509', ...key, '-days', '1', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`, ...files]);
}

/** The `Environment=` settings of a systemd unit. */
function unitEnvironment(unit: string): Record<string, string> {
  return Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe('#17 deploy/systemd/duotoken.service', () => {
  const unit = read('systemd/duotoken.service');

  it.skipIf(!systemdAnalyze)('#17 systemd-analyze verifies the unit, and rates its exposure OK (hardened)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duotoken-unit-'));
    try {
      writeFileSync(join(dir, 'duotoken.service'), unit);
      const verify = await run(systemdAnalyze!, ['verify', join(dir, 'duotoken.service')]);
      expect(verify.stderr).toBe('');
      const security = await run(systemdAnalyze!, ['security', '--offline=true', '--no-pager', join(dir, 'duotoken.service')]);
      const exposure = Number(/Overall exposure level for duotoken\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
      expect(exposure).toBeLessThanOrEqual(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('#17 the unit runs as a dynamic user without new privileges, state in StateDirectory, started as `duotoken serve`', () => {
    for (const line of [
      'DynamicUser=yes',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'StateDirectory=duotoken',
      'StateDirectoryMode=0700',
      'UMask=0077',
    ])
      expect(unit.split('\n')).toContain(line);
    expect(unitEnvironment(unit).DUOTOKEN_DATA_DIR).toBe('/var/lib/duotoken');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/duotoken\/node_modules\/@duotoken\/server\/bin\/duotoken\.js serve$/m);
  });
});

/**
 * The README's Deploy steps as far as this machine allows (no systemd running, no real certificate):
 * duotoken started with the unit's settings, nginx with deploy/nginx/duotoken.conf as shipped except
 * ports, certificate (self-signed, made here) and log paths, then real HTTPS requests through it.
 */
describe.skipIf(!nginxBinary || !openssl)('#17 deploy/nginx/duotoken.conf: TLS reverse proxy with forward-auth, run for real', () => {
  let dir: string;
  let duotoken: ServerProcess;
  let app: EchoUpstream;
  let nginx: ChildProcess;
  let httpsPort: number;
  let httpPort: number;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duotoken-deploy-'));
    const env = unitEnvironment(read('systemd/duotoken.service'));
    duotoken = await startServe(dir, {
      ...env,
      DUOTOKEN_PORT: '0',
      DUOTOKEN_DATA_DIR: join(dir, 'state'),
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_ADMIN_PASSWORD: 'a-long-admin-password',
      DUOTOKEN_LOG_LEVEL: 'info',
    });
    app = await startEchoUpstream();
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    await selfSignedCertificate(dir, ['auth.example.com', '127.0.0.1']);
    ca = readFileSync(join(dir, 'fullchain.pem'));
    const site = read('nginx/duotoken.conf')
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
      .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${new URL(duotoken.url).port};`)
      .replace('server 127.0.0.1:9000;', `server 127.0.0.1:${new URL(app.url).port};`)
      .replaceAll('/etc/ssl/duotoken/', `${dir}/`)
      .replaceAll('/var/log/nginx/', `${dir}/`);
    writeFileSync(join(dir, 'site.conf'), site);
    for (const sub of ['client_body', 'proxy']) mkdirSync(join(dir, sub));
    const main = `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/proxy;
  uwsgi_temp_path ${dir}/proxy;
  scgi_temp_path ${dir}/proxy;
  include ${dir}/site.conf;
}
`;
    writeFileSync(join(dir, 'nginx.conf'), main);
    const check = await run(nginxBinary!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
    expect(check.stderr).toContain('syntax is ok');
    nginx = spawn(nginxBinary!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: 'ignore',
    });
    await waitForPort(httpsPort, nginx);
  }, 120_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await duotoken?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One HTTPS request to nginx, trusting only the certificate made here. */
  function https(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path,
          method: init.method ?? 'GET',
          headers: { host: 'auth.example.com', ...init.headers },
          ca,
          servername: 'auth.example.com',
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  }

  it('#17 HTTPS only: plain HTTP is redirected, HSTS is sent, duotoken answers through TLS (health, JWKS, console)', async () => {
    const plain = await fetch(`http://127.0.0.1:${httpPort}/auth/get_t`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\//);
    const health = await https('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toContain('max-age=');
    expect((await https('/.well-known/jwks.json')).status).toBe(200);
    expect((await https('/console/')).status).toBe(200);
  });

  it('#17 log in through TLS; the console API reaches duotoken; the app behind forward-auth gets the identity (client copies replaced); no token → 401', async () => {
    const login = await https('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'admin', password: 'a-long-admin-password' }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (JSON.parse(login.body) as { data: { access_token: string } }).data;
    const seen = app.seen.length;
    const allowed = await https('/orders', { headers: { authorization: `Bearer ${access_token}`, 'x-auth-user-id': '999' } });
    expect(allowed.status).toBe(200);
    expect(app.seen.length).toBe(seen + 1);
    expect(app.seen.at(-1)!.headers['x-auth-user-id']).toBe('1');
    // The console's API (/admin/…) is duotoken's own, not the app's.
    const whoami = await https('/admin/whoami', { headers: { authorization: `Bearer ${access_token}` } });
    expect(whoami.status).toBe(200);
    expect((JSON.parse(whoami.body) as { code: string }).code).toBe('00000');
    expect(app.seen.length).toBe(seen + 1);
    const refused = await https('/orders');
    expect(refused.status).toBe(401);
    expect(app.seen.length).toBe(seen + 1);
    // Sessions record the client's address from X-Forwarded-For, believed from nginx alone (DUOTOKEN_TRUST_PROXY).
    const sessions = await https('/auth/sessions', {
      headers: { authorization: `Bearer ${access_token}`, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(JSON.parse(sessions.body).data[0].ip).toBe('127.0.0.1');
  });
});

describe('#17 deploy/docker (no container engine runs here: the files are checked for structure)', () => {
  const dockerfile = read('docker/Dockerfile');
  const compose = read('docker/compose.yaml');
  const composeNginx = read('docker/nginx.conf');

  it('#17 the Dockerfile copies only what exists, runs as a non-root user with its data in a volume, and checks health', () => {
    const lines = dockerfile.split('\n');
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const source of sources!.split(' ')) expect(existsSync(join(REPO, source)), `COPY ${source}`).toBe(true);
    const finalStage = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
    expect(finalStage).toContain('USER node');
    expect(finalStage.findIndex((l) => l === 'USER node')).toBeLessThan(finalStage.findIndex((l) => l.startsWith('ENTRYPOINT')));
    const dataDir = /DUOTOKEN_DATA_DIR=(\S+)/.exec(dockerfile)?.[1];
    expect(dockerfile).toContain(`VOLUME ["${dataDir}"]`);
    expect(dockerfile).toContain(`chmod 0700 ${dataDir}`);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/readyz/m);
    // The entry point is the bin the server package declares.
    const server = JSON.parse(readFileSync(join(REPO, 'packages/server/package.json'), 'utf8')) as { bin: { duotoken: string } };
    expect(dockerfile).toContain(`/opt/duotoken/node_modules/@duotoken/server/${server.bin.duotoken.replace('./', '')}`);
    expect(existsSync(BIN)).toBe(true);
  });

  it('#17 compose runs three duotoken instances on PostgreSQL and Redis behind nginx, migrating once first', () => {
    for (const service of ['postgres', 'redis', 'migrate', 'duotoken-1', 'duotoken-2', 'duotoken-3', 'nginx'])
      expect(compose, service).toMatch(new RegExp(`^  ${service}:`, 'm'));
    expect(compose).toContain("DUOTOKEN_DATABASE_URL: 'postgres://");
    expect(compose).toContain("DUOTOKEN_REDIS_URL: 'redis://");
    expect(compose).toContain('condition: service_completed_successfully');
    for (const instance of ['duotoken-1', 'duotoken-2', 'duotoken-3']) expect(composeNginx).toContain(`server ${instance}:8080`);
  });

  it.skipIf(!nginxBinary)('#17 nginx -t accepts the compose nginx.conf (instance names pointed at this machine)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duotoken-compose-nginx-'));
    try {
      await selfSignedCertificate(dir, ['localhost']);
      const site = composeNginx
        .replace(/duotoken-\d:8080/g, '127.0.0.1:8080')
        .replaceAll('/etc/ssl/duotoken/', `${dir}/`)
        .replaceAll('/var/log/nginx/', `${dir}/`);
      writeFileSync(join(dir, 'site.conf'), site);
      writeFileSync(join(dir, 'nginx.conf'), `pid ${dir}/nginx.pid;\nevents {}\nhttp { include ${dir}/site.conf; }\n`);
      const check = await run(nginxBinary!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]);
      expect(check.stderr).toContain('syntax is ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
