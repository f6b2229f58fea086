// The load generator: a child process (forked by load-client.mjs) that runs
// autocannon's programmatic API, so that the process under test never shares
// an event loop with the load. One job at a time arrives over IPC; the answer
// is a small summary (throughput, latency percentiles, status counts).
import autocannon from 'autocannon';

/**
 * Per-connection request chains for refresh rotation: each autocannon
 * connection owns one session and always sends the newest refresh token of
 * that session, taken from the previous answer.
 */
function chainRequests(spec) {
  let next = 0;
  const chains = spec.tokens.map((token) => ({ token, broken: false }));
  const pick = (body) => spec.extract.split('.').reduce((value, key) => (value == null ? undefined : value[key]), body);
  return {
    chains,
    setupClient(client) {
      const chain = chains[next++ % chains.length];
      client.setRequests([
        {
          method: spec.method,
          path: spec.path,
          setupRequest(request) {
            if (spec.send.header) return { ...request, headers: { ...spec.headers, [spec.send.header]: chain.token } };
            const body = JSON.stringify({ [spec.send.jsonField]: chain.token });
            return { ...request, headers: { ...spec.headers, 'content-type': 'application/json' }, body };
          },
          onResponse(status, body) {
            if (status !== 200) {
              chain.broken = true;
              return;
            }
            try {
              const token = pick(JSON.parse(body));
              if (typeof token === 'string') chain.token = token;
            } catch {
              chain.broken = true;
            }
          },
        },
      ]);
    },
  };
}

/**
 * Static requests whose `header` differs per connection: connection i sends
 * `values[i % n]` (several accounts' tokens in one flood).
 */
function perConnectionHeader(spec) {
  let next = 0;
  return (client) => client.setHeaders({ ...spec.headers, [spec.header]: spec.values[next++ % spec.values.length] });
}

/** autocannon options for one load description. */
function optionsOf(load, url, seconds, chain) {
  const base = {
    url: url + load.path,
    method: load.method ?? 'GET',
    connections: load.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 20,
  };
  if (load.overallRate) base.overallRate = load.overallRate;
  if (load.kind === 'chain') return { ...base, setupClient: chain.setupClient };
  const fixed = { ...base, headers: load.headers ?? {}, body: load.body };
  return load.kind === 'per-connection' ? { ...fixed, setupClient: perConnectionHeader(load) } : fixed;
}

function summarise(result, chain) {
  const codes = {};
  for (const [key, value] of Object.entries(result)) {
    const m = /^(\d)xx$/.exec(key);
    if (m && value > 0) codes[key] = value;
  }
  return {
    requestsPerSecond: result.requests.mean,
    total: result.requests.total,
    durationSeconds: result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusClasses: codes,
    brokenChains: chain ? chain.chains.filter((c) => c.broken).length : undefined,
  };
}

/**
 * Runs the main load (and an optional concurrent probe) for `seconds`, after a
 * warm-up. Refresh chains warm up on sessions of their own: a request in
 * flight when a run stops may rotate a token whose answer is never read, and
 * a chain must not start the measured run on a token already spent.
 */
/** Pause between the warm-up and the measured run. */
const SETTLE_MS = 500;

async function runJob(job) {
  const isChain = job.main.kind === 'chain';
  if (job.warmupSeconds > 0) {
    const warm = isChain ? chainRequests({ ...job.main, tokens: job.main.warmupTokens }) : undefined;
    await autocannon(optionsOf(job.main, job.url, job.warmupSeconds, warm));
    // The warm-up's last requests are still being answered when it stops (a
    // login takes tens of ms): let them end, so that the measured run does not
    // start on top of them (eight logins of one account on top of eight others
    // pass the lockout's bound of ten checks in flight and are refused).
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  const chain = isChain ? chainRequests(job.main) : undefined;
  process.send({ id: job.id, phase: 'measuring' });
  const runs = [autocannon(optionsOf(job.main, job.url, job.seconds, chain))];
  if (job.probe) runs.push(autocannon(optionsOf(job.probe, job.url, job.seconds, undefined)));
  const [main, probe] = await Promise.all(runs);
  return { main: summarise(main, chain), probe: probe ? summarise(probe) : undefined };
}

process.on('message', (job) => {
  runJob(job).then(
    (result) => process.send({ id: job.id, ok: true, result }),
    (error) => process.send({ id: job.id, ok: false, error: String(error?.stack ?? error) }),
  );
});
