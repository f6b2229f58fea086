import { isRevocationEntry, type RevocationBatch, type RevocationSet } from '@duotoken/protocol';
import { SseParser } from './sse-parser.js';

/** Options of the revocation feed subscription (`createVerifier({ revocations })`). */
export interface RevocationFeedOptions {
  /** URL of the server's feed, e.g. `https://auth.example.com/auth/revocations`. */
  url: string | URL;
  /** One of the server's `DUOTOKEN_VERIFIER_TOKENS`. */
  token: string;
  /** Refuse every token (10051, HTTP 503) while the feed is not current. Default true. */
  failClosed?: boolean;
  /** The feed is current while the last sign of life is at most this old. Default 30000 ms. */
  maxStalenessMs?: number;
  /** `sse` (push), `poll` (long-poll) or `auto` (SSE, falling back to long-poll when a proxy does not stream). Default `auto`. */
  transport?: 'auto' | 'sse' | 'poll';
  /** Called with connection errors (never with secrets), e.g. to log them. */
  onError?: (error: unknown) => void;
}

/** What the server sends: a batch of entries and the cursor to resume from (`retention_ms` trusted only when positive). */
type Batch = Omit<RevocationBatch, 'retention_ms'> & { retention_ms?: number };

/** Health of a feed, for readiness probes. */
export interface FeedStatus {
  current: boolean;
  connected: boolean;
  transport: 'sse' | 'poll';
  /** Unix ms (real clock) of the last sign of life, if any. */
  lastContactAt: number | undefined;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

function parseBatch(value: unknown): Batch {
  const b = value as Batch;
  if (!b || typeof b.cursor !== 'string' || !Array.isArray(b.entries) || !b.entries.every(isRevocationEntry))
    throw new Error('revocation feed sent a malformed batch');
  return b;
}

/**
 * Keeps a RevocationSet current from the server's `GET /auth/revocations`:
 * a server-sent event stream (changes pushed as they happen) or, when a proxy
 * does not stream, long-polling. Reconnects with backoff, resuming from the
 * last cursor. The verifier asks `isCurrent()` on every call.
 */
export class RevocationFeed {
  readonly failClosed: boolean;
  readonly maxStalenessMs: number;
  private transport: 'sse' | 'poll';
  private cursor: string | undefined;
  private lastContact: number | undefined;
  private connected = false;
  private readonly abort = new AbortController();
  private readonly readyWaiters = new Set<() => void>();
  /** How long an entry is kept (ms): the server says, in each batch; entries older than this refuse only expired tokens. */
  private retentionMs = 24 * 3600 * 1000;

  constructor(
    private readonly options: RevocationFeedOptions,
    private readonly set: RevocationSet,
    private readonly clock: { now(): number },
  ) {
    if (!options.token) throw new TypeError('createVerifier: revocations.token is required');
    this.failClosed = options.failClosed ?? true;
    this.maxStalenessMs = options.maxStalenessMs ?? 30_000;
    if (!(this.maxStalenessMs >= 1000)) throw new TypeError('createVerifier: revocations.maxStalenessMs must be at least 1000');
    this.transport = options.transport === 'poll' ? 'poll' : 'sse';
    void this.run();
  }

  /** True while the last sign of life is recent enough. */
  isCurrent(): boolean {
    return this.lastContact !== undefined && Date.now() - this.lastContact <= this.maxStalenessMs;
  }

  /** Resolves once the first batch arrived, or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.lastContact !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => (clearTimeout(timer), this.readyWaiters.delete(done), resolve());
      const timer = setTimeout(done, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  status(): FeedStatus {
    return { current: this.isCurrent(), connected: this.connected, transport: this.transport, lastContactAt: this.lastContact };
  }

  close(): void {
    this.abort.abort();
    for (const done of [...this.readyWaiters]) done();
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.abort.signal.aborted) {
      try {
        const progressed = this.transport === 'poll' ? await this.pollOnce() : await this.streamOnce();
        if (progressed) backoff = MIN_BACKOFF_MS;
        if (progressed && this.transport === 'poll') continue;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.options.onError?.(error);
      }
      this.connected = false;
      await sleep(backoff, this.abort.signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    this.connected = false;
  }

  private request(accept: string, wait?: number): Promise<Response> {
    const url = new URL(this.options.url);
    if (this.cursor) url.searchParams.set('since', this.cursor);
    if (wait !== undefined) url.searchParams.set('wait', String(wait));
    return fetch(url, {
      headers: { authorization: `Bearer ${this.options.token}`, accept },
      signal: this.abort.signal,
      cache: 'no-store',
    });
  }

  /** One SSE connection; returns true when it delivered at least one batch. */
  private async streamOnce(): Promise<boolean> {
    const res = await this.request('text/event-stream');
    if (!res.ok) throw new Error(`revocation feed answered HTTP ${res.status}`);
    if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      if (this.options.transport === 'sse') throw new Error('revocation feed did not answer with an event stream');
      // Something between us and the server does not stream: long-poll instead.
      this.transport = 'poll';
      this.applyEnvelope(await res.json());
      return true;
    }
    if (!res.body) throw new Error('revocation feed sent no body');
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    let live = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return live;
        const events = parser.push(decoder.decode(value, { stream: true }));
        for (const event of events) {
          if (event.event !== 'revocations') continue;
          this.apply(parseBatch(JSON.parse(event.data)));
          live = true;
        }
        // Pings (comments) prove the stream alive once it has delivered its snapshot.
        if (live) this.touch();
      }
    } finally {
      reader.releaseLock();
      void res.body.cancel().catch(() => undefined);
    }
  }

  /** One long-poll round trip. */
  private async pollOnce(): Promise<boolean> {
    const wait = Math.max(1, Math.min(25, Math.floor(this.maxStalenessMs / 3000)));
    const res = await this.request('application/json', wait);
    if (!res.ok) throw new Error(`revocation feed answered HTTP ${res.status}`);
    this.applyEnvelope(await res.json());
    return true;
  }

  private applyEnvelope(body: unknown): void {
    const envelope = body as { code?: string; data?: unknown };
    if (envelope?.code !== '00000') throw new Error(`revocation feed answered code ${String(envelope?.code)}`);
    this.apply(parseBatch(envelope.data));
  }

  private apply(batch: Batch): void {
    if (batch.retention_ms !== undefined && batch.retention_ms > 0) this.retentionMs = batch.retention_ms;
    for (const e of batch.entries) this.set.apply(e.sid, e);
    if (batch.entries.length) this.set.pruneBefore(this.clock.now() - this.retentionMs);
    this.cursor = batch.cursor;
    this.connected = true;
    this.touch();
    for (const done of [...this.readyWaiters]) done();
  }

  // Liveness is measured on the real clock (it is about a network), never the injected one.
  private touch(): void {
    this.lastContact = Date.now();
  }
}
