import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE } from '@duotoken/protocol';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';

const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
const block = (name: string) => readme.slice(readme.indexOf(`<!-- ${name}:start -->`), readme.indexOf(`<!-- ${name}:end -->`));

describe('README tables follow the code (run `npm run docs:tables` after changing either)', () => {
  it('the configuration table lists every DUOTOKEN_* setting with its default', () => {
    const table = block('config-table');
    for (const s of Object.values(SETTINGS)) expect(table, s.env).toContain(`| \`${s.env}\` | \`${s.fileKey}\` | ${s.defaultText} |`);
    expect(table.match(/^\| `DUOTOKEN_/gm)).toHaveLength(Object.keys(SETTINGS).length);
  });

  it('the error table lists every code with its HTTP status and both messages', () => {
    const table = block('error-table');
    for (const [name, e] of Object.entries(ERROR_CATALOGUE))
      expect(table, name).toContain(`| \`${e.wire}\` | ${e.status} | \`${name}\` | ${e.zh} | ${e.en} |`);
  });
});
