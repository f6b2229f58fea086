import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APP = fileURLToPath(new URL('./app/', import.meta.url));
const PACKAGES = ['protocol', 'client', 'verify', 'server'] as const;
const ADMIN_PASSWORD = 'a-long-admin-password';

/** Environment of the processes started here, without the suite's own DUOTOKEN_* variables. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('DUOTOKEN_') && !k.startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts a long-running process and resolves with its first stdout line that matches `ready`. */
function startProcess(command: string, args: string[], options: { cwd: string; env: Record<string, string>; ready: RegExp }) {
  return new Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }>((done, fail) => {
    // Its own process group, so that stopping `npx` stops the server it started.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${command} ${args.join(' ')} did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = options.ready.exec(out);
      if (match) {
        clearTimeout(timer);
        done({ child, match, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${command} exited with ${code}:\n${out}`));
    });
  });
}

const stop = (child: ChildProcess | undefined) =>
  new Promise<void>((done) => {
    if (!child || child.exitCode !== null) return done();
    child.once('exit', () => done());
    process.kill(-child.pid!, 'SIGTERM');
  });

/**
 * `npm pack` of the four published packages, installed into an empty project as a user would (only the
 * npm registry, through npm's cache), then used there: an Express app with @duotoken/verify (CommonJS),
 * a Node client session with @duotoken/client (ES module), `npx duotoken serve` with its web console,
 * and the types under three module resolutions.
 */
describe('#17 the npm packages, installed from their tarballs into an empty project', () => {
  const root = mkdtempSync(join(tmpdir(), 'duotoken-pack-'));
  const project = join(root, 'project');
  const tarballs: Record<string, { file: string; files: string[] }> = {};
  let server: { child: ChildProcess; url: string; output: () => string } | undefined;
  let express: ChildProcess | undefined;

  beforeAll(async () => {
    for (const name of PACKAGES)
      expect(existsSync(join(REPO, 'packages', name, 'dist')), `packages/${name}/dist: run npm run build first`).toBe(true);
    const packs = join(root, 'tarballs');
    mkdirSync(packs);
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--pack-destination', packs, ...PACKAGES.flatMap((n) => ['-w', `@duotoken/${n}`])],
      {
        cwd: REPO,
        env: cleanEnv(),
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    for (const pack of JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[])
      tarballs[pack.name] = { file: join(packs, pack.filename), files: pack.files.map((f) => f.path) };

    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'duotoken-user-app', private: true }));
    cpSync(APP, project, { recursive: true });
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...Object.values(tarballs).map((t) => t.file),
        'express@5',
      ],
      { cwd: project, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
    );
    // npm runs no install script that the project has not allowed, and better-sqlite3's would fetch a
    // prebuilt binary from the internet (closed here) or compile SQLite for minutes. The repo's own
    // build is the same version for the same Node, so it stands in for that download.
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(dirname(join(project, addon)), { recursive: true });
    copyFileSync(join(REPO, addon), join(project, addon));
  }, 600_000);

  afterAll(async () => {
    await stop(express);
    await stop(server?.child);
    rmSync(root, { recursive: true, force: true });
  });

  it('#17 each tarball has README, LICENSE, repository, engines, types, and the sources its maps point to', () => {
    for (const name of PACKAGES) {
      const { files } = tarballs[`@duotoken/${name}`]!;
      expect(files, name).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      expect(
        files.filter((f) => f.endsWith('.test.ts') || f.endsWith('.tsbuildinfo')),
        name,
      ).toEqual([]);
      const installed = join(project, 'node_modules/@duotoken', name);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest, name).toMatchObject({
        repository: { type: 'git' },
        types: './dist/index.d.ts',
        engines: { node: expect.stringContaining('22') },
      });
      // Every source a .js.map or .d.ts.map names is in the package, so debuggers and "go to definition" open it.
      const maps = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
      expect(maps.length, name).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(installed, 'dist', map), 'utf8')) as { sources: string[] };
        for (const source of sources)
          expect(existsSync(resolve(dirname(join(installed, 'dist', map)), source)), `${name}/dist/${map} → ${source}`).toBe(true);
      }
    }
    expect(tarballs['@duotoken/server']!.files).toEqual(expect.arrayContaining(['console/index.html', 'bin/duotoken.js']));
  });

  it('#17 npx duotoken serve runs from the installed server package, web console included', async () => {
    const started = await startProcess('npx', ['--no', 'duotoken', 'serve'], {
      cwd: project,
      env: cleanEnv({
        DUOTOKEN_PORT: '0',
        DUOTOKEN_HOST: '127.0.0.1',
        DUOTOKEN_CAPTCHA: 'off',
        DUOTOKEN_ADMIN_PASSWORD: ADMIN_PASSWORD,
        DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
        DUOTOKEN_ARGON2_ITERATIONS: '1',
      }),
      ready: /Server listening at (http:\/\/127\.0\.0\.1:\d+)/,
    });
    server = { child: started.child, url: started.match[1]!, output: started.output };
    const page = await fetch(`${server.url}/console/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${server.url}${script}`)).status).toBe(200);
    expect(existsSync(join(project, 'data', 'duotoken.db'))).toBe(true);
  });

  it('#17 a Node client session with @duotoken/client logs in, refreshes (rotation) and calls a protected route', async () => {
    expect(server).toBeDefined();
    const { stdout } = await run(process.execPath, ['client-session.mjs'], {
      cwd: project,
      env: cleanEnv({ AUTH_URL: server!.url, ADMIN_PASSWORD }),
    });
    const result = JSON.parse(stdout) as { account: string; rotated: boolean; afterRefresh: number; accessToken: string; wrong: string };
    expect(result).toMatchObject({ account: 'admin', rotated: true, afterRefresh: 200, wrong: '10020' });
  });

  it('#17 an Express app requires @duotoken/verify (CommonJS build) and guards a route with tokens of the installed server', async () => {
    expect(server).toBeDefined();
    const started = await startProcess(process.execPath, ['express-app.cjs'], {
      cwd: project,
      env: cleanEnv({ AUTH_URL: server!.url }),
      ready: /^(\{.*\})$/m,
    });
    express = started.child;
    const { port, loaded } = JSON.parse(started.match[1]!) as { port: number; loaded: string };
    expect(loaded).toContain(join('@duotoken', 'verify', 'dist', 'cjs', 'adapters', 'express-auth.js'));
    const { stdout } = await run(process.execPath, ['client-session.mjs'], {
      cwd: project,
      env: cleanEnv({ AUTH_URL: server!.url, ADMIN_PASSWORD }),
    });
    const { accessToken } = JSON.parse(stdout) as { accessToken: string };
    const orders = await fetch(`http://127.0.0.1:${port}/orders`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(orders.status).toBe(200);
    expect(await orders.json()).toEqual({ user: 1 });
    const anonymous = await fetch(`http://127.0.0.1:${port}/orders`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('10025');
  });

  it('#17 the types resolve under moduleResolution node16 (ESM and CommonJS), bundler, and node (typesVersions)', async () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    copyFileSync(join(project, 'types-check.ts'), join(project, 'types-check.mts'));
    const base = { strict: true, noEmit: true, skipLibCheck: true, types: [] as string[], lib: ['ES2023', 'DOM'] };
    const configs = {
      node16: { ...base, module: 'Node16', moduleResolution: 'Node16', files: ['types-check.mts', 'types-check-require.cts'] },
      bundler: { ...base, module: 'ESNext', moduleResolution: 'Bundler', files: ['types-check.ts'] },
      node10: { ...base, module: 'CommonJS', moduleResolution: 'Node10', ignoreDeprecations: '6.0', files: ['types-check.ts'] },
    };
    for (const [name, { files, ...compilerOptions }] of Object.entries(configs)) {
      writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files }));
      const result = await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: project }).then(
        () => '',
        (e: { stdout: string }) => e.stdout,
      );
      expect(result, name).toBe('');
    }
  });
});
