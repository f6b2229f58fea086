import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** README.md and every file under docs/, as paths relative to the root. */
function documents(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return ['README.md', ...walk('docs')];
}

/** `file:line: text` of each line of the documents that matches. */
function linesMatching(pattern: RegExp): string[] {
  return documents().flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

/** GitHub's anchors of a Markdown file's headings (a repeated one gets `-1`, `-2`, …). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe('README.md and docs/ stand on their own', () => {
  it('name no section of the private spec (`SPEC §`) and no seed document (`seed 00`)', () => {
    expect(linesMatching(/SPEC §|seed 00/)).toEqual([]);
  });

  it('link only to headings that exist (`file.md#anchor`, `#anchor`)', () => {
    const broken: string[] = [];
    for (const file of documents().filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s#]*\.md|)#([^)\s]+)\)/g)) {
        const target = m[1] ? join(dirname(file), m[1]) : file;
        const ok = existsSync(join(root, target)) && anchorsOf(readFileSync(join(root, target), 'utf8')).has(m[2]!);
        if (!ok) broken.push(`${file}: ${target}#${m[2]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
