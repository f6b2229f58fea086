import { defineConfig } from 'vitest/config';

/**
 * The conformance suites are `describe(…, { shuffle: true })`: their tests run in an order drawn from this
 * seed, so none may lean on another's leftovers. DUOTOKEN_TEST_SEED=<seed> repeats the order of a failed run.
 */
const seed = Number(process.env.DUOTOKEN_TEST_SEED) || Date.now() % 1_000_000;
console.log(`shuffled suites: seed ${seed} (DUOTOKEN_TEST_SEED=${seed} repeats their order)`);

export default defineConfig({
  // No aliases to `src`: tests import `@duotoken/*` through the packages' `exports`, as users do.
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    sequence: { seed },
    // In CI a JSON report too, from which .ci/run prints a plain `N passed, N failed` line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
