import path from 'node:path';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A relative path into another workspace package's sources or tests (`../../server/src/…`, `../../packages/client/test/…`). */
const OTHER_PACKAGE_INSIDES = String.raw`^(\.\.?/)+(packages/|apps/)?(protocol|client|verify|server|test-kit|console)/(src|test)(/|$)`;

/**
 * The layers of `packages/server/src`, top first (docs/architecture.md, "Layers"). A file may
 * import from its own layer and from the layers below it, never from one above; cycles are
 * refused everywhere. Entries are folders or files of `packages/server/src`.
 */
export const SERVER_LAYERS = [
  { name: 'app', paths: ['index.ts', 'runtime.ts', 'build-app.ts', 'services.ts', 'cli', 'bootstrap'] },
  { name: 'routes', paths: ['admin', 'gateway', 'revocations', 'metrics', 'mfa'] },
  { name: 'dialects', paths: ['dialects'] },
  { name: 'http', paths: ['http'] },
  { name: 'login', paths: ['auth', 'tenancy'] },
  { name: 'sessions', paths: ['sessions'] },
  { name: 'records', paths: ['audit', 'retention'] },
  { name: 'tokens', paths: ['tokens'] },
  { name: 'storage', paths: ['store', 'cache'] },
  { name: 'config', paths: ['config'] },
  { name: 'base', paths: ['errors', 'clock', 'crypto'] },
];

/** One `import-x/no-restricted-paths` zone per layer: its files may not import from any layer above. */
export function layerZones(root) {
  const src = (p) => path.join(root, 'packages/server/src', p);
  return SERVER_LAYERS.slice(1).map((layer, i) => {
    const above = SERVER_LAYERS.slice(0, i + 1);
    return {
      target: layer.paths.map(src),
      from: above.flatMap((l) => l.paths.map(src)),
      message: `Layer "${layer.name}" may not import from the layers above it (${above.map((l) => l.name).join(', ')}): see docs/architecture.md, "Layers".`,
    };
  });
}

/** The project's ESLint configuration, for a checkout at `root` (tests lint fixture trees with it). */
export function projectConfig(root) {
  return tseslint.config(
    {
      ignores: [
        '**/dist/**',
        '**/node_modules/**',
        'coverage/**',
        'bench/peers/**',
        'bench/results/**',
        'e2e/artifacts/**',
        'packages/server/console/**',
      ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      languageOptions: { globals: { ...globals.node } },
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/consistent-type-imports': 'error',
      },
    },
    {
      // Imports point down the layers and never go round in a circle.
      files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      ignores: ['**/*.test.ts'],
      plugins: { 'import-x': importX },
      settings: {
        'import-x/extensions': ['.ts', '.js'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
        'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
      },
      rules: {
        // Value imports only: a cycle of `import type` alone is erased by the compiler (the layer zones still see type imports).
        'import-x/no-cycle': ['error', { ignoreExternal: true }],
        'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones(root) }],
      },
    },
    {
      // A CommonJS app as users write them (e2e/package installs the packages and runs it).
      files: ['**/*.cjs'],
      languageOptions: { sourceType: 'commonjs' },
      rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
    {
      // Tests reach another package through its name (its public exports, or @duotoken/test-kit), never its
      // src/ or test/ by relative path: a test then breaks only when the package's contract does.
      files: ['packages/*/test/**/*.ts', 'packages/test-kit/**/*.ts', 'e2e/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: OTHER_PACKAGE_INSIDES,
                message: 'Import the package by name (its exports, or @duotoken/test-kit), not its src/ or test/.',
              },
            ],
          },
        ],
        'no-restricted-syntax': [
          'error',
          {
            // esquery's /regex/ cannot hold a slash: spelled \x2F there.
            selector: `ImportExpression > Literal[value=/${OTHER_PACKAGE_INSIDES.replaceAll('/', String.raw`\x2F`)}/]`,
            message: 'Import the package by name (its exports, or @duotoken/test-kit), not its src/ or test/.',
          },
        ],
      },
    },
    {
      // Where tests live (docs/architecture.md): packages/<name>/test/, e2e/, never beside the sources.
      files: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
      rules: {
        'no-restricted-syntax': [
          'error',
          { selector: 'Program', message: 'Tests live in packages/<name>/test/ (see docs/architecture.md).' },
        ],
      },
    },
  );
}

export default projectConfig(import.meta.dirname);
