// Summarises V8 CPU profiles (`node --cpu-prof`) as markdown: self time by
// function and by package, idle time left out, so the top frames of a hot
// path can be quoted in docs/benchmarks.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a frame's code comes from: a package, duotoken's own code, or node itself. */
function ownerOf(url) {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (/packages\/([^/]+)\/dist\//.test(url)) return `duotoken ${/packages\/([^/]+)\//.exec(url)[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url.split('/').slice(-2).join('/');
}

function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ticks = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    ticks.set(profile.samples[i], (ticks.get(profile.samples[i]) ?? 0) + dt);
  }
  const frames = new Map();
  const owners = new Map();
  let total = 0;
  for (const [id, us] of ticks) {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const file = url ? url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|packages)\//, '$1/') : '';
    const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    frames.set(key, (frames.get(key) ?? 0) + us);
    const owner = functionName === '(garbage collector)' ? '(garbage collector)' : ownerOf(url);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  return { frames, owners, total };
}

/** Markdown for the main-thread `.cpuprofile` in `dir`: the `top` frames by self time and the share per package, under `title`. */
export function summariseProfiles(dir, top, title) {
  // Main thread only (thread id 0 in `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`): the
  // argon2 worker threads run native code that a JS profile does not see.
  const files = readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  const out = [];
  for (const file of files) {
    const { frames, owners, total } = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const pct = (us) => `${((us / total) * 100).toFixed(1)} %`;
    out.push(
      `## ${title} (${file}) — ${(total / 1e6).toFixed(1)} s busy on the main thread, idle excluded`,
      '',
      '| share | package |',
      '| ---: | --- |',
    );
    for (const [owner, us] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, 12)) out.push(`| ${pct(us)} | ${owner} |`);
    out.push('', '| self | frame |', '| ---: | --- |');
    for (const [key, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`| ${pct(us)} | \`${key}\` |`);
    out.push('');
  }
  return out.join('\n');
}
