import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The project's ESLint configuration (eslint.config.js at the root), run on small fixture trees laid
// out like the repository: the layer rule and the cycle rule must fail on what docs/architecture.md
// ("Layers") forbids and pass on what it allows.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
type ProjectConfig = (root: string) => Linter.Config[];
type Layer = { name: string; paths: string[] };

let projectConfig: ProjectConfig;
let layers: Layer[];
let root: string;

beforeAll(async () => {
  ({ projectConfig, SERVER_LAYERS: layers } = (await import(pathToFileURL(join(repoRoot, 'eslint.config.js')).href)) as {
    projectConfig: ProjectConfig;
    SERVER_LAYERS: Layer[];
  });
  root = mkdtempSync(join(tmpdir(), 'duotoken-layers-'));
  const files: Record<string, string> = {
    // Allowed: a dialect imports from http, sessions, config and base (down), and a type from its own layer.
    'packages/server/src/dialects/good-dialect.ts': [
      "import { ok } from '../http/envelope.js';",
      "import { revoke } from '../sessions/session-changes.js';",
      "import type { Config } from '../config/settings.js';",
      "import type { Shape } from './shapes.js';",
      'export const dialect = (config: Config, shape: Shape) => [ok, revoke, config, shape];',
    ].join('\n'),
    'packages/server/src/dialects/shapes.ts': 'export type Shape = { name: string };',
    'packages/server/src/http/envelope.ts':
      "import { AuthError } from '../errors/auth-error.js';\nexport const ok = () => new AuthError();",
    'packages/server/src/sessions/session-changes.ts': "import { now } from '../clock/clock.js';\nexport const revoke = () => now();",
    'packages/server/src/config/settings.ts': 'export type Config = { port: number };',
    'packages/server/src/errors/auth-error.ts': 'export class AuthError extends Error {}',
    'packages/server/src/clock/clock.ts': 'export const now = () => Date.now();',
    // Upward: config reads a parser of the gateway (routes layer), sessions a type of auth (login layer).
    'packages/server/src/config/upward.ts':
      "import { parseUpstreams } from '../gateway/parse-upstreams.js';\nexport const upstreams = parseUpstreams('');",
    'packages/server/src/gateway/parse-upstreams.ts': 'export const parseUpstreams = (raw: string) => raw.split(",");',
    'packages/server/src/sessions/upward-type.ts':
      "import type { Limits } from '../auth/limits.js';\nexport const limits = (l: Limits) => l;",
    'packages/server/src/auth/limits.ts': 'export interface Limits { max: number }',
    // Upward from a layer to the composition root: a route module reading the services bag.
    'packages/server/src/admin/upward-app.ts': "import type { Services } from '../services.js';\nexport const admin = (s: Services) => s;",
    'packages/server/src/services.ts': 'export type Services = { ready: boolean };',
    // A cycle inside one layer (two files of one folder), and one in the client.
    'packages/server/src/dialects/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;",
    'packages/server/src/dialects/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;",
    'packages/client/src/lock-one.ts': "import { two } from './lock-two.js';\nexport const one = () => two;",
    'packages/client/src/lock-two.ts': "import { one } from './lock-one.js';\nexport const two = () => one;",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Each linted file's messages as `rule: line` (the import rules only; a parse failure shows as `fatal`). */
async function lint(...paths: string[]): Promise<Record<string, string[]>> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: projectConfig(root),
    ruleFilter: ({ ruleId }) => ruleId.startsWith('import-x/'),
  });
  const results = await eslint.lintFiles(paths.map((p) => join(root, p)));
  return Object.fromEntries(results.map((r) => [relative(root, r.filePath), r.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.line}`)]));
}

describe('the import layers (eslint.config.js, docs/architecture.md "Layers")', () => {
  it('a file importing down the layers, and a type from its own layer, passes', async () => {
    expect(await lint('packages/server/src/dialects/good-dialect.ts', 'packages/server/src/dialects/shapes.ts')).toEqual({
      'packages/server/src/dialects/good-dialect.ts': [],
      'packages/server/src/dialects/shapes.ts': [],
    });
  });

  it('an upward import fails: config importing from the gateway, sessions a type from auth, a route module the services bag', async () => {
    expect(
      await lint(
        'packages/server/src/config/upward.ts',
        'packages/server/src/sessions/upward-type.ts',
        'packages/server/src/admin/upward-app.ts',
      ),
    ).toEqual({
      'packages/server/src/config/upward.ts': ['import-x/no-restricted-paths: 1'],
      'packages/server/src/sessions/upward-type.ts': ['import-x/no-restricted-paths: 1'],
      'packages/server/src/admin/upward-app.ts': ['import-x/no-restricted-paths: 1'],
    });
  });

  it('an import cycle fails, within one layer of the server and in the client', async () => {
    expect(
      await lint(
        'packages/server/src/dialects/cycle-a.ts',
        'packages/server/src/dialects/cycle-b.ts',
        'packages/client/src/lock-one.ts',
        'packages/client/src/lock-two.ts',
      ),
    ).toEqual({
      'packages/server/src/dialects/cycle-a.ts': ['import-x/no-cycle: 1'],
      'packages/server/src/dialects/cycle-b.ts': ['import-x/no-cycle: 1'],
      'packages/client/src/lock-one.ts': ['import-x/no-cycle: 1'],
      'packages/client/src/lock-two.ts': ['import-x/no-cycle: 1'],
    });
  });

  it('every folder and file of packages/server/src is in exactly one layer (a folder in none would be checked by no zone)', () => {
    const entries = readdirSync(join(repoRoot, 'packages/server/src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')))
      .map((e) => e.name)
      .sort();
    expect(layers.flatMap((l) => l.paths).sort()).toEqual(entries);
  });

  it('the repository itself passes both rules', async () => {
    const eslint = new ESLint({ cwd: repoRoot, ruleFilter: ({ ruleId }) => ruleId.startsWith('import-x/') });
    const results = await eslint.lintFiles(['packages/server/src', 'packages/client/src']);
    const broken = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId?.startsWith('import-x/')).map((m) => `${relative(repoRoot, r.filePath)}:${m.line} ${m.ruleId}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(broken).toEqual([]);
  });
});
