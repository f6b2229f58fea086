// `npm run bench -- --soak`: refresh rotations for a long time with the
// retention job on, sampling every few seconds the rows it prunes, the SQLite
// files (database, WAL) and the server's RSS, so that a report shows whether
// they stay flat; and the retention job's cost per batch, from the server's
// own metrics. Writes bench/results/<date>-soak.{json,md}.
//
// Options: --minutes N (default 10), --sample N (seconds per load segment and
// sample, default 10), --sessions N (rotating sessions, default 50),
// --no-retention (the same run with the job off, to see the growth it prevents).
//
// Lifetimes are shortened so that the steady state comes within minutes:
// refresh tokens live 60 s (the shortest allowed) and are kept 75 s more (the
// access-token window: 10 s + 5 s tolerance + 60 s), sessions last 2 min,
// audit events are kept 2 min; the job runs every 5 s. Each segment logs in
// fresh sessions (their chains rotate for the segment, then expire), so
// sessions and audit events churn too.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { LoadClient } from './lib/load-client.mjs';
import { inBatches, startDuotoken } from './lib/targets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const METRICS_TOKEN = 'bench-soak-metrics-token-0123456789';

const { values: opts } = parseArgs({
  options: {
    soak: { type: 'boolean', default: true },
    minutes: { type: 'string', default: '10' },
    sample: { type: 'string', default: '10' },
    sessions: { type: 'string', default: '50' },
    'no-retention': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(opts.minutes);
const SAMPLE_SECONDS = Number(opts.sample);
const SESSIONS = Number(opts.sessions);
const RETENTION = !opts['no-retention'];
const started = Date.now();
const log = (line) => process.stdout.write(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const MiB = (bytes) => bytes / 2 ** 20;

/** Resident set size of a process (Linux /proc), in bytes. */
function rssBytes(pid) {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sizeOf = (path) => (existsSync(path) ? statSync(path).size : 0);

/** Rows of the pruned tables, read through a read-only connection of the bench's own. */
function countRows(dbPath) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (table) => db.prepare(`select count(*) as n from ${table}`).get().n;
    return { refreshTokens: count('refresh_tokens'), sessions: count('sessions'), auditEvents: count('audit_events') };
  } finally {
    db.close();
  }
}

/** Every sample of one metric family as `{ labels, value }` (Prometheus text). */
function samples(text, name) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** The retention job's totals per table: rows deleted, batches and their time. */
async function retentionTotals(url) {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const byTable = {};
  for (const table of ['refresh_tokens', 'sessions', 'audit_events']) {
    const pick = (name) => samples(text, name).find((s) => s.labels.table === table)?.value ?? 0;
    const buckets = samples(text, 'duotoken_retention_batch_seconds_bucket').filter((s) => s.labels.table === table);
    byTable[table] = {
      rows: pick('duotoken_retention_deleted_rows_total'),
      batches: pick('duotoken_retention_batch_seconds_count'),
      seconds: pick('duotoken_retention_batch_seconds_sum'),
      buckets: buckets.map((b) => ({ le: b.labels.le, count: b.value })),
    };
  }
  return byTable;
}

/** Upper bound (bucket edge) under which `q` of the batches fell. */
function quantileMs(buckets, q) {
  const total = buckets.find((b) => b.le === '+Inf')?.count ?? 0;
  if (total === 0) return undefined;
  const hit = buckets.find((b) => b.count >= q * total);
  return hit && hit.le !== '+Inf' ? Number(hit.le) * 1000 : undefined;
}

function renderMarkdown(report) {
  const { settings, samples: rows, retention, verdict } = report;
  const lines = [
    `# Soak: refresh rotations with retention ${settings.retention ? 'on' : 'off'} (${report.date})`,
    '',
    `Machine: ${report.machine}. ${settings.minutes} min of rotations on ${settings.sessions} sessions (fresh sessions every ${settings.sampleSeconds} s), SQLite, ` +
      `refresh tokens 60 s, sessions 2 min, audit events kept 2 min, ${settings.retention ? 'retention every 5 s in batches of 200 (the default)' : 'retention off'}. A shared machine: compare runs of one machine only.`,
    '',
    '| t (s) | rotations/s | refresh tokens | sessions | audit events | db MiB | WAL MiB | RSS MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (s) =>
        `| ${s.t} | ${s.rotationsPerSecond.toFixed(0)} | ${s.rows.refreshTokens} | ${s.rows.sessions} | ${s.rows.auditEvents} | ${MiB(s.dbBytes).toFixed(1)} | ${MiB(s.walBytes).toFixed(1)} | ${s.rssBytes === undefined ? '—' : MiB(s.rssBytes).toFixed(0)} |`,
    ),
    '',
    rows.some((s) => s.t >= verdict.fromSeconds)
      ? `Steady state (from t = ${verdict.fromSeconds} s, after the first sessions' lifetime and margin): ` +
        Object.entries(verdict.ranges)
          .map(([k, r]) => `${k} ${r.min}–${r.max}`)
          .join('; ') +
        '.'
      : `Steady state not reached: run longer than ${verdict.fromSeconds} s.`,
    '',
  ];
  if (settings.retention) {
    lines.push('| retention, by table | rows deleted | batches | rows per batch | mean ms per batch | p99 ms per batch (bucket) |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [table, r] of Object.entries(retention))
      lines.push(
        `| ${table} | ${r.rows} | ${r.batches} | ${r.batches ? (r.rows / r.batches).toFixed(0) : '—'} | ${r.batches ? ((r.seconds / r.batches) * 1000).toFixed(2) : '—'} | ${quantileMs(r.buckets, 0.99) ?? '—'} |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-soak-'));
  const dbPath = join(dataDir, 'duotoken.db');
  const load = new LoadClient();
  let server;
  try {
    server = await startDuotoken({
      root: ROOT,
      label: 'duotoken-soak',
      env: {
        DUOTOKEN_DATA_DIR: dataDir,
        DUOTOKEN_ACCESS_TTL: '10s',
        DUOTOKEN_REFRESH_TTL: '60s',
        DUOTOKEN_SESSION_MAX_AGE: '2m',
        DUOTOKEN_AUDIT_RETENTION: '2m',
        DUOTOKEN_RETENTION_INTERVAL: RETENTION ? '5s' : '0',
        DUOTOKEN_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
    log(`duotoken on ${server.url}, data in ${dataDir}; ${MINUTES} min, retention ${RETENTION ? 'on' : 'off'}`);
    const samplesTaken = [];
    const deadline = Date.now() + MINUTES * 60_000;
    let rotations = 0;
    while (Date.now() < deadline) {
      const sessions = await inBatches(SESSIONS, 4, () => server.login());
      const result = await load.run({
        url: server.url,
        seconds: SAMPLE_SECONDS,
        warmupSeconds: 0,
        main: {
          kind: 'chain',
          method: 'POST',
          path: '/auth/refresh-token',
          headers: {},
          warmupTokens: [],
          tokens: sessions.map((s) => s.refresh_token),
          send: { jsonField: 'refresh_token' },
          extract: 'data.refresh_token',
          connections: SESSIONS,
        },
      });
      rotations += result.main.total;
      const sample = {
        t: Math.round((Date.now() - started) / 1000),
        rotations,
        rotationsPerSecond: result.main.requestsPerSecond,
        non2xx: result.main.non2xx,
        rows: countRows(dbPath),
        dbBytes: sizeOf(dbPath),
        walBytes: sizeOf(`${dbPath}-wal`),
        rssBytes: rssBytes(server.pid),
      };
      samplesTaken.push(sample);
      log(
        `${String(rotations).padStart(9)} rotations  ${sample.rotationsPerSecond.toFixed(0).padStart(5)}/s  tokens ${sample.rows.refreshTokens}  sessions ${sample.rows.sessions}  audit ${sample.rows.auditEvents}  db ${MiB(sample.dbBytes).toFixed(1)} MiB  wal ${MiB(sample.walBytes).toFixed(1)} MiB  rss ${sample.rssBytes ? MiB(sample.rssBytes).toFixed(0) : '?'} MiB`,
      );
    }
    const retention = await retentionTotals(server.url);
    // Steady state: once the first sessions have expired (2 min), been kept their margin (75 s), and a pass has run.
    const fromSeconds = 240;
    const steady = samplesTaken.filter((s) => s.t >= fromSeconds);
    const range = (pick) =>
      steady.length ? { min: Math.min(...steady.map(pick)), max: Math.max(...steady.map(pick)) } : { min: '—', max: '—' };
    const verdict = {
      fromSeconds,
      ranges: {
        'refresh tokens': range((s) => s.rows.refreshTokens),
        sessions: range((s) => s.rows.sessions),
        'audit events': range((s) => s.rows.auditEvents),
        'db+WAL MiB': range((s) => Number(MiB(s.dbBytes + s.walBytes).toFixed(1))),
        'RSS MiB': range((s) => Math.round(MiB(s.rssBytes ?? 0))),
      },
    };
    const date = new Date().toISOString().replace(/:/g, '-').replace(/\..+$/, '');
    const { cpus, totalmem } = await import('node:os');
    const report = {
      date,
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      settings: { minutes: MINUTES, sampleSeconds: SAMPLE_SECONDS, sessions: SESSIONS, retention: RETENTION },
      samples: samplesTaken,
      retention,
      verdict,
    };
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${date}-soak.json`), JSON.stringify(report, null, 2) + '\n');
    const markdown = renderMarkdown(report);
    writeFileSync(join(dir, `${date}-soak.md`), markdown);
    log(`wrote bench/results/${date}-soak.{json,md}`);
    process.stdout.write(`\n${markdown}\n`);
  } finally {
    load.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`soak failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
