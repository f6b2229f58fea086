import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/test-server.js';

const root = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));
const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}
type Document = { paths: Record<string, Record<string, { operationId?: string; security?: unknown }>> };

/** `redocly lint` of one file with the root redocly.yaml; the JSON report (it exits 1 on errors). */
function lint(file: string): Promise<LintReport> {
  // No telemetry, no update check: the test must not reach the network.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const args = [redocly, 'lint', file, '--config', root('redocly.yaml'), '--format=json'];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout) as LintReport);
      } catch {
        reject(new Error(`redocly lint gave no report: ${error?.message ?? ''}\n${stderr}`));
      }
    }),
  );
}

/** `METHOD /admin/…` pairs of docs/admin-api.md (`:param` as `{param}`; "`…/disable`, `/enable`" as two). */
function adminApiOperations(): string[] {
  const text = readFileSync(root('docs/admin-api.md'), 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/admin\/[^`\s]*)`((?:, `\/[^`\s]+`)*)/g)) {
    const path = m[2]!.replace(/:(\w+)/g, '{$1}');
    found.add(`${m[1]} ${path}`);
    for (const sibling of m[3]!.matchAll(/`(\/[^`]+)`/g)) found.add(`${m[1]} ${path.replace(/\/[^/]+$/, sibling[1]!)}`);
  }
  return [...found].sort();
}

describe('the OpenAPI document (GET /openapi.json, every dialect mounted)', () => {
  let document: Document;
  let report: LintReport;
  beforeAll(async () => {
    const server = await startTestServer({ DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm' });
    const dir = mkdtempSync(join(tmpdir(), 'duotoken-openapi-'));
    try {
      const res = await server.fetch('/openapi.json');
      expect(res.status).toBe(200);
      document = (await res.json()) as Document;
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
      report = await lint(join(dir, 'openapi.json'));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('passes redocly lint (recommended ruleset) with 0 errors', () => {
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });

  it('leaves only the warnings docs/protocol.md §9 explains: the probes and the JWKS have no 4xx answer', () => {
    const warnings = report.problems.filter((p) => p.severity !== 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(warnings.sort()).toEqual(
      [
        'operation-4xx-response #/paths/~1.well-known~1jwks.json/get/responses',
        'operation-4xx-response #/paths/~1healthz/get/responses',
        'operation-4xx-response #/paths/~1readyz/get/responses',
      ].sort(),
    );
  });

  it('gives every operation its own operationId, derived from method and path', () => {
    const ids = Object.entries(document.paths).flatMap(([, item]) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.paths['/admin/users/{user}/sessions']!.delete!.operationId).toBe('deleteAdminUsersByUserSessions');
    expect(document.paths['/auth/refresh-token']!.get!.operationId).toBe('getAuthRefreshToken');
    expect(document.paths['/auth/refresh-token']!.post!.operationId).toBe('postAuthRefreshToken');
  });

  it("states each dialect's token location as its security", () => {
    expect(document.paths['/auth/me']!.get!.security).toContainEqual({ bearerAuth: [] });
    expect(document.paths['/v1/auth/me']!.get!.security).toContainEqual({ mmmAccessToken: [] });
    expect(document.paths['/v1/auth/refresh_token']!.get!.security).toEqual([{ mmmRefreshToken: [] }]);
    expect(document.paths['/auth/refresh-token']!.post!.security).toContainEqual({ refreshTokenHeader: [] });
    expect(document.paths['/cms/user/refresh']!.get!.security).toEqual([{ refreshBearer: [] }]);
    expect(document.paths['/auth/login']!.post!.security).toEqual([]);
  });

  it('holds every admin API route of docs/admin-api.md, and no undocumented one', () => {
    const inDocument = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/admin/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(adminApiOperations().length).toBeGreaterThan(20);
    expect(inDocument).toEqual(adminApiOperations());
  });
});
