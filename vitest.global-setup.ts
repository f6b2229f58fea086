import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Tests import `@duotoken/*` as users do, through each package's `exports`,
 * i.e. its built `dist`: bring the builds up to date first (a no-op in CI,
 * which builds before testing; a few seconds after an edit), so that no test
 * runs against a stale build.
 */
export default function buildPackages(): void {
  const root = fileURLToPath(new URL('./', import.meta.url));
  const tsc = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url));
  const projects = ['protocol', 'client', 'verify', 'server'].map((p) => `packages/${p}`);
  const cjs = ['protocol', 'verify'].map((p) => `packages/${p}/tsconfig.cjs.json`);
  execFileSync(process.execPath, [tsc, '-b', ...projects, ...cjs], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/mark-cjs.mjs'], { cwd: root, stdio: 'inherit' });
}
