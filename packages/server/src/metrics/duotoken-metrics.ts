import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditNotice } from '../audit/audit-log.js';
import type { RetentionBatch } from '../retention/retention-job.js';
import type { Clock } from '../clock/clock.js';
import type { SessionFence } from '../sessions/session-fence.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/key-ring.js';
import { countActiveSessions } from './active-sessions.js';

/** Latency buckets (seconds): auth answers are sub-millisecond to tens of ms; logins ~10-100 ms. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** How long a scraped active-session count is reused: scrapes stay cheap under any scrape interval. */
const ACTIVE_SESSIONS_TTL_MS = 10_000;

/** What a finished HTTP request tells the metrics. */
export interface RequestOutcome {
  method: string;
  /** The route pattern (`/auth/sessions/:id`), never the raw URL; `(unmatched)` for 404s. */
  route: string;
  status: number;
  /** Internal error code (`BAD_CREDENTIALS`…) when the request failed with one. */
  code: string | undefined;
  seconds: number;
}

/** Routes that are password logins or refreshes, by dialect (SPEC §3-§5), keyed `METHOD route`. */
const OPERATIONS: Record<string, 'login' | 'refresh'> = {
  'POST /auth/login': 'login',
  'POST /cms/user/login': 'login',
  'POST /auth/refresh-token': 'refresh',
  'GET /auth/refresh-token': 'refresh',
  'GET /cms/user/refresh': 'refresh',
  'GET /v1/auth/refresh_token': 'refresh',
};

/** What the gauges read. */
export interface MetricsSources {
  store: Store;
  clock: Clock;
  keyRing: KeyRing;
  fence: SessionFence;
}

/**
 * The Prometheus metrics of one app instance, in a registry of its own (never
 * prom-client's global one, so that tests can build several apps in one
 * process). HTTP counters come from the request hooks; business counters from
 * the audit log's listener; gauges are computed when scraped.
 */
export class DuotokenMetrics {
  readonly registry = new Registry();
  /** `http://host:port` of the separate metrics listener once it listens (`DUOTOKEN_METRICS_PORT`). */
  listenerAddress: string | undefined;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route'>;
  private readonly logins: Counter<'outcome'>;
  private readonly refreshes: Counter<'outcome'>;
  private readonly graceHits: Counter;
  private readonly reuseDetections: Counter;
  private readonly lockouts: Counter<'kind'>;
  private readonly mfaSteps: Counter<'outcome' | 'method'>;
  private readonly auditEvents: Counter<'type'>;
  private readonly retentionDeleted: Counter<'table'>;
  private readonly retentionBatches: Histogram<'table'>;

  constructor(services: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'duotoken_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'duotoken_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.logins = new Counter({
      name: 'duotoken_logins_total',
      help: 'Password logins by outcome: success, or the error code in lower case (bad_credentials, account_locked, …)',
      labelNames: ['outcome'],
      registers,
    });
    this.refreshes = new Counter({
      name: 'duotoken_refreshes_total',
      help: 'Refresh-token requests by outcome: success, auto_renewed (10026), or the error code in lower case',
      labelNames: ['outcome'],
      registers,
    });
    this.graceHits = new Counter({
      name: 'duotoken_refresh_grace_hits_total',
      help: 'Refreshes with an already-rotated token inside the grace window (answered with the same successor)',
      registers,
    });
    this.reuseDetections = new Counter({
      name: 'duotoken_refresh_reuse_detected_total',
      help: 'Consumed refresh tokens presented outside the grace rule (after the window, or once their successor was used): the session was revoked',
      registers,
    });
    this.lockouts = new Counter({
      name: 'duotoken_lockouts_total',
      help: 'Accounts locked after consecutive failed logins (kind: timed or hard)',
      labelNames: ['kind'],
      registers,
    });
    this.mfaSteps = new Counter({
      name: 'duotoken_mfa_total',
      help: 'Second steps (#15): logins stopped for a second factor or enrollment (outcome required, method none), then each code checked (success, failure) by method',
      labelNames: ['outcome', 'method'],
      registers,
    });
    this.auditEvents = new Counter({
      name: 'duotoken_audit_events_total',
      help: 'Audit events recorded, by type',
      labelNames: ['type'],
      registers,
    });
    let cached: { at: number; value: number } | undefined;
    new Gauge({
      name: 'duotoken_active_sessions',
      help: `Sessions neither revoked nor expired (computed on scrape, reused for ${ACTIVE_SESSIONS_TTL_MS / 1000} s)`,
      registers,
      async collect() {
        const now = services.clock.now();
        if (!cached || now - cached.at >= ACTIVE_SESSIONS_TTL_MS)
          cached = { at: now, value: await countActiveSessions(services.store.opened.db, now) };
        this.set(cached.value);
      },
    });
    new Gauge({
      name: 'duotoken_signing_key_age_seconds',
      help: 'Age of the key that signs new access tokens (rotate with `duotoken keys rotate`)',
      registers,
      collect() {
        const signing = services.keyRing.list().find((k) => k.signing);
        if (signing) this.set(Math.max(0, (services.clock.now() - signing.created_at) / 1000));
      },
    });
    new Gauge({
      name: 'duotoken_session_fence_entries',
      help: 'Sessions revoked or re-versioned within the access-token lifetime, held in memory',
      registers,
      collect() {
        this.set(services.fence.size);
      },
    });
    new Gauge({
      name: 'duotoken_store_up',
      help: 'Whether the database answers: 0 from a failed call (connection lost, disk full) until a write probe succeeds; /readyz follows it',
      registers,
      collect() {
        this.set(services.store.health.up ? 1 : 0);
      },
    });
    this.retentionDeleted = new Counter({
      name: 'duotoken_retention_deleted_rows_total',
      help: 'Rows deleted by the retention job, by table (refresh_tokens, sessions, audit_events)',
      labelNames: ['table'],
      registers,
    });
    this.retentionBatches = new Histogram({
      name: 'duotoken_retention_batch_seconds',
      help: 'Time of one retention DELETE (at most DUOTOKEN_RETENTION_BATCH rows), by table',
      labelNames: ['table'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a finished request, and a login or refresh outcome when the route is one. */
  observeRequest(o: RequestOutcome): void {
    this.requests.inc({ method: o.method, route: o.route, status: o.status });
    this.latency.observe({ method: o.method, route: o.route }, o.seconds);
    const outcome = o.status < 400 ? 'success' : (o.code ?? `http_${o.status}`).toLowerCase();
    const operation = OPERATIONS[`${o.method} ${o.route}`];
    if (operation === 'login') this.logins.inc({ outcome });
    else if (operation === 'refresh') this.refreshes.inc({ outcome });
    else if (o.code === 'ACCESS_TOKEN_RENEWED') this.refreshes.inc({ outcome: 'auto_renewed' });
  }

  /** Listener of the audit log: business counters without metrics calls in the services. */
  observeAudit(event: AuditNotice): void {
    if (event.type === 'refresh.grace_hit') {
      this.graceHits.inc();
      return;
    }
    this.auditEvents.inc({ type: event.type });
    if (event.type === 'refresh.reuse_detected') this.reuseDetections.inc();
    else if (event.type === 'login.locked') this.lockouts.inc({ kind: event.details?.hard === true ? 'hard' : 'timed' });
    else if (event.type === 'mfa.required') this.mfaSteps.inc({ outcome: 'required', method: 'none' });
    else if (event.type === 'mfa.success' || event.type === 'mfa.failure')
      this.mfaSteps.inc({ outcome: event.type.slice(4), method: String(event.details?.method ?? 'unknown') });
  }

  /** Listener of the retention job: rows deleted and the time of each batch. */
  observeRetentionBatch(batch: RetentionBatch): void {
    this.retentionDeleted.inc({ table: batch.table }, batch.deleted);
    this.retentionBatches.observe({ table: batch.table }, batch.ms / 1000);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
