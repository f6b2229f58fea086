// Turning a run's rows into the targets verdict, a markdown table and an SVG
// chart. Pure functions of the report object written to <date>.json.

const SCENARIOS = [
  { key: 'unauthenticated', title: 'Unauthenticated route (`/healthz`)' },
  { key: 'session-check', title: 'Session check (protected route, no DB read)' },
  { key: 'me', title: 'Who am I (protected route + DB read)' },
  { key: 'refresh', title: 'Refresh rotation' },
  { key: 'login', title: 'Password login' },
  { key: 'login-closed', title: 'Password login, closed loops (baseline of the next row)' },
  { key: 'login-mfa', title: 'Login with a second step (password + recovery code)' },
];

const TARGET_LABELS = {
  duotoken: 'duotoken (SQLite)',
  'duotoken-pg': 'duotoken (PostgreSQL)',
  'minimal-rotation': 'minimal rotation (SQLite)',
  'minimal-rotation-pg': 'minimal rotation (PostgreSQL)',
  'bare-check': 'bare node:http, same bytes',
  'express-jwt': 'Express + jsonwebtoken',
  'better-auth': 'better-auth',
  'better-auth-cookie-cache': 'better-auth (cookie cache)',
};
const COLORS = {
  duotoken: '#2563eb',
  'duotoken-pg': '#0891b2',
  'minimal-rotation': '#16a34a',
  'minimal-rotation-pg': '#65a30d',
  'bare-check': '#a3a3a3',
  'express-jwt': '#9ca3af',
  'better-auth': '#f59e0b',
  'better-auth-cookie-cache': '#ea580c',
};
/** The minimal rotation that is the floor of each duotoken store's refresh figure. */
const BASELINE_OF = { duotoken: 'minimal-rotation', 'duotoken-pg': 'minimal-rotation-pg' };

const row = (report, target, scenario) => report.runs.find((r) => r.target === target && r.scenario === scenario);
const fmt = (n, digits = 0) =>
  n === undefined || n === null || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
const targetsIn = (report) => Object.keys(TARGET_LABELS).filter((t) => report.runs.some((r) => r.target === t));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Round-by-round ratios of two rows measured alternately (one ratio when rounds were not kept). */
function pairedRatios(numerator, denominator) {
  if (!numerator || !denominator) return [NaN];
  const a = numerator.rounds ?? [numerator.main.requestsPerSecond];
  const b = denominator.rounds ?? [denominator.main.requestsPerSecond];
  return a.length === b.length ? a.map((x, i) => x / b[i]) : [numerator.main.requestsPerSecond / denominator.main.requestsPerSecond];
}

/**
 * A target "`numerator` ≥ `floor` × `denominator`" on two rows measured in
 * alternating rounds, judged on the median of the round-by-round ratios;
 * undefined when either row is missing (that server did not run).
 */
function ratioTarget(target, goal, numerator, denominator, floor) {
  if (!numerator || !denominator) return undefined;
  const ratios = pairedRatios(numerator, denominator);
  const ratio = median(ratios);
  const figures = `${fmt(numerator.main.requestsPerSecond)} / ${fmt(denominator.main.requestsPerSecond)} req/s`;
  const detail = ratios.length > 1 ? `${figures}; median of the rounds' ratios ${ratios.map((r) => fmt(r, 2)).join(', ')}` : figures;
  return { target, goal, value: ratio, met: ratio >= floor, detail };
}

/** The issue's targets, judged on the numbers of this run (ratios against baselines of the same run). */
export function evaluateTargets(report) {
  const out = [];
  const rps = (t, s) => row(report, t, s)?.main.requestsPerSecond;
  const add = (target, goal, value, met, detail) => out.push({ target, goal, value, met, detail });
  const push = (judged) => judged && out.push(judged);
  for (const t of ['duotoken', 'duotoken-pg']) {
    // A run restricted by --only or --scenarios judges only what it measured.
    if (!report.runs.some((r) => r.target === t)) continue;
    push(
      ratioTarget(
        t,
        'protected route ≥ 0.90 × unauthenticated route',
        row(report, t, 'session-check'),
        row(report, t, 'unauthenticated'),
        0.9,
      ),
    );
    // The same bytes without duotoken: what the contract's headers and token cost this machine by
    // themselves (a heavier /healthz dilutes them, so duotoken's ratio can sit above this one).
    const bare = ratioTarget(t, '', row(report, 'bare-check', 'session-check'), row(report, 'bare-check', 'unauthenticated'), 0);
    if (bare)
      push({ ...bare, goal: '(info) the same ratio for the same bytes through bare node:http (bench/peers/bare-check)', met: null });
    /** An info row: `of`'s server CPU per request, unauthenticated ÷ protected. */
    const cpuRatio = (goal, of) => {
      const [open, checked] = ['unauthenticated', 'session-check'].map((s) => row(report, of, s)?.serverCpu?.microsPerRequest);
      if (open && checked) add(t, goal, open / checked, null, `${fmt(open)} / ${fmt(checked)} µs`);
    };
    // Near 30,000 req/s the load generator, not bare node:http, sets the pace: its CPU per request is the steadier figure.
    cpuRatio('(info) bare node:http, same bytes: server CPU per request, unauthenticated ÷ protected', 'bare-check');
    cpuRatio('(info) server CPU per request, unauthenticated ÷ protected', t);
    if (rps(t, 'me') && rps(t, 'unauthenticated')) {
      const me = rps(t, 'me') / rps(t, 'unauthenticated');
      add(t, '(info) /auth/me ÷ unauthenticated route', me, null, `${fmt(rps(t, 'me'))} / ${fmt(rps(t, 'unauthenticated'))} req/s`);
    }
    if (t !== 'duotoken-pg' && row(report, t, 'refresh'))
      add(t, 'refresh ≥ 4,800/s', rps(t, 'refresh'), rps(t, 'refresh') >= 4800, `${fmt(rps(t, 'refresh'))} rotations/s`);
    else if (row(report, t, 'refresh'))
      add(t, '(info) refresh on PostgreSQL', rps(t, 'refresh'), null, `${fmt(rps(t, 'refresh'))} rotations/s`);
    const floor = t === 'duotoken-pg' ? 0.6 : 0.75;
    const store = t === 'duotoken-pg' ? 'PostgreSQL' : 'SQLite';
    const baseline = row(report, BASELINE_OF[t], 'refresh');
    push(ratioTarget(t, `refresh ≥ ${floor} × the minimal ${store} rotation`, row(report, t, 'refresh'), baseline, floor));
    const cpuPerRotation = row(report, t, 'refresh')?.serverCpu?.microsPerRequest;
    if (cpuPerRotation && baseline?.serverCpu)
      add(
        t,
        `(info) server CPU per rotation, minimal ${store} rotation ÷ duotoken`,
        baseline.serverCpu.microsPerRequest / cpuPerRotation,
        null,
        `${fmt(baseline.serverCpu.microsPerRequest)} / ${fmt(cpuPerRotation)} µs`,
      );
    if (t === 'duotoken-pg') {
      const sqlite = (s) => row(report, 'duotoken', s);
      for (const [s, floor, goal] of [
        ['refresh', 0.5, 'refresh ≥ 0.5 × duotoken (SQLite) refresh'],
        ['me', 0.5, '/auth/me ≥ 0.5 × duotoken (SQLite) /auth/me'],
      ])
        push(ratioTarget(t, goal, row(report, t, s), sqlite(s), floor));
    }
    push(
      ratioTarget(
        t,
        'login with a second step ≥ 0.9 × password login (MFA on, within 10 %)',
        row(report, t, 'login-mfa'),
        row(report, t, 'login-closed'),
        0.9,
      ),
    );
    const login = row(report, t, 'login');
    if (!login) continue;
    add(
      t,
      'logins ≥ 100/s (argon2id m=19456 t=2 p=1)',
      login?.main.requestsPerSecond,
      login?.main.requestsPerSecond >= 100,
      `hash alone: ${fmt(report.reference.argon2idVerifyPerSecond)}/s`,
    );
    const flood = row(report, t, 'password-flood');
    if (flood) {
      const probe = flood.probe;
      const refused = probe ? probe.non2xx : undefined;
      add(
        t,
        'login p99 < 1 s during a /auth/password flood (bounded hash queue)',
        probe?.latencyMs.p99,
        probe?.latencyMs.p99 < 1000,
        `idle p99 ${fmt(row(report, t, 'login-probe-idle')?.main.latencyMs.p99)} ms; ${fmt(refused)} of ${fmt(probe?.total)} logins refused with 10023`,
      );
    }
    const p99 = login?.probe?.latencyMs.p99;
    add(
      t,
      'protected-route p99 < 20 ms during the login flood',
      p99,
      p99 < 20,
      `idle p99 ${fmt(row(report, t, 'probe-idle')?.main.latencyMs.p99)} ms`,
    );
  }
  for (const [peer, scenario, goal] of [
    ['better-auth', 'login', 'ahead of better-auth on sign-in'],
    ['better-auth', 'session-check', 'ahead of better-auth on session check'],
    ['better-auth-cookie-cache', 'session-check', 'ahead of better-auth with its cookie cache on session check'],
  ]) {
    const ours = rps('duotoken', scenario);
    const theirs = rps(peer, scenario);
    if (ours !== undefined && theirs !== undefined)
      add('duotoken', goal, ours / theirs, ours > theirs, `${fmt(ours)} vs ${fmt(theirs)} req/s`);
  }
  const withoutCpu = report.runs.filter((r) => !r.serverCpu).map((r) => `${TARGET_LABELS[r.target] ?? r.target} ${r.scenario}`);
  if (report.runs.length)
    add(
      'every server',
      'server CPU µs per request reported for every row',
      withoutCpu.length === 0 ? 'every row' : `${withoutCpu.length} rows without`,
      withoutCpu.length === 0,
      withoutCpu.length ? `missing: ${withoutCpu.join(', ')}` : `${report.runs.length} of ${report.runs.length} rows`,
    );
  return out;
}

function cell(r) {
  if (!r) return '—';
  const m = r.main;
  const broken = m.non2xx || m.errors ? ` ⚠ ${fmt(m.non2xx + m.errors)} failed` : '';
  return `${fmt(m.requestsPerSecond)} req/s · p99 ${fmt(m.latencyMs.p99)} ms${broken}`;
}

/** The captcha's drawing cost, when the run measured it. */
function captchaLine(captcha) {
  if (!captcha) return [];
  const kb = (r) => `${(r.bytesPerImage / 1024).toFixed(1)} KiB`;
  const before = captcha.svgCaptcha
    ? `; svg-captcha 1.4 as drawn before #12.5 ${fmt(captcha.svgCaptcha.microsPerImage)} µs, ${kb(captcha.svgCaptcha)}`
    : '';
  return [
    '',
    `Captcha drawing (CPU per image, in the runner process): the default \`DistortedCaptcha\` ${fmt(captcha.distorted.microsPerImage)} µs, ${kb(captcha.distorted)}${before}.`,
  ];
}

/** The markdown report (also what docs/benchmarks.md quotes). */
export function renderMarkdown(report, { svg }) {
  const targets = targetsIn(report);
  const { machine, settings, reference } = report;
  const lines = [
    `# duotoken benchmark — ${report.date.replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ` +
      `Every server is its own process on 127.0.0.1; the load comes from autocannon in another process on the same machine. ` +
      `Each figure: ${settings.seconds} s after a ${settings.warmupSeconds} s warm-up, ${settings.connections} connections ` +
      `(refresh: ${settings.sessions} sessions, one connection each; login: ${settings.loginConnections} connections); ` +
      `the figures measured in rounds show their median round of ${settings.rounds} (${settings.roundSeconds ?? settings.seconds} s each): ` +
      `\`/healthz\` and the session check alternate on each server; duotoken's \`/auth/me\` and refresh alternate across its stores and ` +
      `the minimal rotations, all of them running (the other figures are one run each). ` +
      `Whole run: ${report.wallSeconds} s.`,
    '',
    `Hash ceilings on this machine (the hash alone, 2 at a time): argon2id m=19456 t=2 p=1 ${fmt(reference.argon2idVerifyPerSecond)}/s, ` +
      `scrypt N=16384 r=16 p=1 ${fmt(reference.scryptVerifyPerSecond)}/s.`,
    ...captchaLine(reference.captcha),
    '',
    `| scenario | ${targets.map((t) => TARGET_LABELS[t]).join(' | ')} |`,
    `| --- | ${targets.map(() => '---').join(' | ')} |`,
  ];
  for (const s of SCENARIOS) lines.push(`| ${s.title} | ${targets.map((t) => cell(row(report, t, s.key))).join(' | ')} |`);
  lines.push(
    `| Protected-route p99 idle → during the login flood (${settings.probe.overallRate} req/s probe) | ${targets
      .map((t) => {
        const idle = row(report, t, 'probe-idle')?.main.latencyMs.p99;
        const busy = row(report, t, 'login')?.probe?.latencyMs.p99;
        return busy === undefined ? '—' : `${fmt(idle)} → ${fmt(busy)} ms`;
      })
      .join(' | ')} |`,
  );
  if (targets.some((t) => row(report, t, 'password-flood')))
    lines.push(
      `| Login p99 idle → during a \`/auth/password\` flood (${settings.passwordFlood.loginProbe.overallRate} logins/s probe; logins refused with 10023) | ${targets
        .map((t) => {
          const idle = row(report, t, 'login-probe-idle')?.main.latencyMs.p99;
          const probe = row(report, t, 'password-flood')?.probe;
          return probe === undefined
            ? '—'
            : `${fmt(idle)} → ${fmt(probe.latencyMs.p99)} ms (${fmt(probe.non2xx)} of ${fmt(probe.total)} refused)`;
        })
        .join(' | ')} |`,
    );
  lines.push(
    '',
    "Server CPU per request (µs, all of the server's processes, from /proc; steadier than req/s when other work shares the machine; " +
      "PostgreSQL's own processes are not counted in the PostgreSQL columns):",
    '',
    `| scenario | ${targets.map((t) => TARGET_LABELS[t]).join(' | ')} |`,
    `| --- | ${targets.map(() => '---:').join(' | ')} |`,
  );
  for (const s of SCENARIOS)
    lines.push(`| ${s.title} | ${targets.map((t) => fmt(row(report, t, s.key)?.serverCpu?.microsPerRequest)).join(' | ')} |`);
  lines.push('', 'What each server answers:', '');
  for (const t of targets)
    for (const r of report.runs.filter((x) => x.target === t && x.note && !['probe-idle', 'login-probe-idle'].includes(x.scenario)))
      lines.push(`- ${TARGET_LABELS[t]}, ${r.scenario}: \`${r.path}\` — ${r.note}`);
  lines.push('', '## Targets', '', '| server | goal | measured | met |', '| --- | --- | --- | --- |');
  for (const g of report.targets) {
    const value = typeof g.value === 'string' ? g.value : g.value === undefined ? '—' : g.value < 10 ? fmt(g.value, 2) : fmt(g.value);
    const met = g.met === null ? 'info' : g.met ? 'yes' : '**no**';
    lines.push(`| ${TARGET_LABELS[g.target] ?? g.target} | ${g.goal} | ${value} (${g.detail}) | ${met} |`);
  }
  if (report.skipped.length) {
    lines.push('', '## Not run', '');
    for (const s of report.skipped) lines.push(`- ${TARGET_LABELS[s.target] ?? s.target}: ${s.reason}`);
  }
  lines.push('', `![throughput and p99 latency per scenario](${svg})`, '');
  return lines.join('\n');
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A hand-written SVG: per scenario, one bar per server for req/s (left) and p99 ms (right), each scenario on its own scale. */
export function renderSvg(report) {
  const targets = targetsIn(report);
  const scenarios = SCENARIOS.filter((s) => targets.some((t) => row(report, t, s.key)));
  const barH = 14;
  const groupH = targets.length * (barH + 3) + 26;
  const labelW = 200;
  const panelW = 300;
  const width = labelW + 2 * panelW + 120;
  const height = 60 + scenarios.length * groupH + 20 + targets.length * 18;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">duotoken vs peers — ${esc(report.date.slice(0, 10))}, ${report.machine.cores} vCPU, Node ${esc(report.machine.node)}</text>`,
    `<text x="${labelW}" y="44" font-weight="bold">throughput (req/s, longer is better)</text>`,
    `<text x="${labelW + panelW + 60}" y="44" font-weight="bold">p99 latency (ms, shorter is better)</text>`,
  ];
  scenarios.forEach((s, i) => {
    const y0 = 60 + i * groupH;
    out.push(`<text x="10" y="${y0 + 12}" font-weight="bold">${esc(s.title.replace(/`/g, ''))}</text>`);
    const rows = targets.map((t) => ({ t, r: row(report, t, s.key) }));
    const maxRps = Math.max(...rows.map(({ r }) => r?.main.requestsPerSecond ?? 0), 1);
    const maxP99 = Math.max(...rows.map(({ r }) => r?.main.latencyMs.p99 ?? 0), 1);
    rows.forEach(({ t, r }, j) => {
      const y = y0 + 20 + j * (barH + 3);
      out.push(`<text x="${labelW - 6}" y="${y + barH - 3}" text-anchor="end" fill="#374151">${esc(TARGET_LABELS[t])}</text>`);
      if (!r) {
        out.push(`<text x="${labelW}" y="${y + barH - 3}" fill="#9ca3af">not measured</text>`);
        return;
      }
      const w1 = Math.max(1, (r.main.requestsPerSecond / maxRps) * panelW);
      const w2 = Math.max(1, (r.main.latencyMs.p99 / maxP99) * panelW * 0.8);
      const x2 = labelW + panelW + 60;
      out.push(
        `<rect x="${labelW}" y="${y}" width="${w1.toFixed(1)}" height="${barH}" fill="${COLORS[t]}"/>`,
        `<text x="${labelW + w1 + 4}" y="${y + barH - 3}">${fmt(r.main.requestsPerSecond)}</text>`,
        `<rect x="${x2}" y="${y}" width="${w2.toFixed(1)}" height="${barH}" fill="${COLORS[t]}" opacity="0.7"/>`,
        `<text x="${x2 + w2 + 4}" y="${y + barH - 3}">${fmt(r.main.latencyMs.p99)}</text>`,
      );
    });
  });
  const ly = 60 + scenarios.length * groupH + 10;
  targets.forEach((t, j) => {
    out.push(
      `<rect x="10" y="${ly + j * 18}" width="12" height="12" fill="${COLORS[t]}"/>`,
      `<text x="28" y="${ly + j * 18 + 10}">${esc(TARGET_LABELS[t])}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}
