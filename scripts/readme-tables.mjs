// Regenerates the configuration and error-code tables of README.md from the
// code (the SETTINGS table and the error catalogue), so the docs cannot drift.
// Usage: npm run build && node scripts/readme-tables.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { SETTINGS } = await import(`${root}packages/server/dist/config/settings.js`);
const { ERROR_CATALOGUE } = await import(`${root}packages/protocol/dist/error-codes.js`);

export function configTable(settings) {
  const rows = Object.values(settings).map(
    (s) => `| \`${s.env}\` | \`${s.fileKey}\` | ${s.defaultText} | ${s.description.replace(/\|/g, '\\|')} |`,
  );
  return ['| variable | config-file key | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function errorTable(catalogue) {
  const rows = Object.entries(catalogue)
    .sort(([, a], [, b]) => a.wire.localeCompare(b.wire))
    .map(([name, e]) => `| \`${e.wire}\` | ${e.status} | \`${name}\` | ${e.zh} | ${e.en} |`);
  return [
    '| code | HTTP | internal name | zh-CN | en |',
    '| --- | --- | --- | --- | --- |',
    '| `00000` | 200 | — | 成功 | Success |',
    ...rows,
  ].join('\n');
}

function replaceBlock(text, name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`README.md lacks the ${name} markers`);
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

const path = `${root}README.md`;
const before = readFileSync(path, 'utf8');
const after = replaceBlock(replaceBlock(before, 'config-table', configTable(SETTINGS)), 'error-table', errorTable(ERROR_CATALOGUE));
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('README.md tables are out of date: run `npm run docs:tables`');
    process.exit(1);
  }
} else {
  writeFileSync(path, after);
}
