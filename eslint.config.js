import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A relative path into another workspace package's sources or tests (`../../server/src/…`, `../../packages/client/test/…`). */
const OTHER_PACKAGE_INSIDES = String.raw`^(\.\.?/)+(packages/|apps/)?(protocol|client|verify|server|test-kit|console)/(src|test)(/|$)`;

export default tseslint.config(
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
