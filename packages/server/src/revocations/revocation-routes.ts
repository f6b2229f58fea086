import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ok, envelope, ErrorEnvelope } from '../http/envelope.js';
import { AuthError } from '../errors/auth-error.js';
import { bearerToken } from '../http/token-lookup.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import type { SessionFence } from '../sessions/session-fence.js';
import type { Store } from '../store/store.js';
import { RevocationLog, type RevocationBatch } from './revocation-log.js';
import { createCredentialCheck } from './verifier-credentials.js';

/** Interval of the keep-alive comment that tells verifiers the feed is current (ms). */
const PING_MS = 10_000;
/** Longest long-poll wait (s). */
const MAX_WAIT_SECONDS = 30;
/** Open streams per instance, so a leaked credential cannot exhaust sockets. */
const MAX_STREAMS = 1_000;

const Entry = Type.Object({ sid: Type.String(), version: Type.Integer(), revoked: Type.Boolean(), at: Type.Integer() });
const Batch = Type.Object({ cursor: Type.String(), entries: Type.Array(Entry), retention_ms: Type.Integer() });

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

function sseMessage(batch: RevocationBatch): string {
  return `id: ${batch.cursor}\nevent: revocations\ndata: ${JSON.stringify(batch)}\n\n`;
}

/**
 * `GET /auth/revocations`: the revocation feed for remote verifiers
 * (`@duotoken/verify`). Mounted only when `DUOTOKEN_VERIFIER_TOKENS` is set;
 * callers authenticate with one of those tokens as a bearer token.
 * `Accept: text/event-stream` gets a server-sent event stream (snapshot
 * first, then each change as it happens, `: ping` every 10 s); anything else
 * gets one JSON batch, long-polled for up to `wait` seconds.
 */
/** What the revocation feed reads. */
export interface RevocationFeedDeps {
  config: Config;
  clock: Clock;
  store: Store;
  fence: SessionFence;
}

export async function registerRevocationFeed(base: FastifyInstance, services: RevocationFeedDeps): Promise<void> {
  const { config, clock, store, fence } = services;
  if (config.verifierTokens.length === 0) return;
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const log = new RevocationLog({ store, fence, clock }, fence.retentionMs);
  await log.start();
  const isVerifier = createCredentialCheck(config.verifierTokens);
  const closers = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...closers]) close();
    log.close();
  });

  app.get(
    '/auth/revocations',
    {
      config: { dialect: 'standard' },
      schema: {
        tags: ['verifiers'],
        summary: 'Revocation feed for remote verifiers: SSE (Accept: text/event-stream) or long-poll JSON',
        security: [{ bearerAuth: [] }],
        querystring: Type.Object({
          since: Type.Optional(Type.String({ maxLength: 64, description: 'cursor of the last batch received' })),
          wait: Type.Optional(
            Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'long-poll: seconds to wait for a change' }),
          ),
        }),
        response: { 200: envelope(Batch), 401: ErrorEnvelope, 429: ErrorEnvelope, 503: ErrorEnvelope },
      },
      preValidation: async (request) => {
        const token = bearerToken(request.headers.authorization);
        if (!token) throw new AuthError('ACCESS_TOKEN_MISSING');
        if (!isVerifier(token)) throw new AuthError('ACCESS_TOKEN_INVALID', { message: 'unknown verifier token' });
      },
    },
    async (request, reply) => {
      // The fence cannot vouch that it holds every revocation (store poll or Redis feed behind): neither can the feed.
      if (!log.isHealthy()) throw new AuthError('STORE_UNAVAILABLE', { details: { reason: 'revocation_feed' } });
      const lastEventId = request.headers['last-event-id'];
      let cursor = request.query.since ?? (typeof lastEventId === 'string' ? lastEventId : undefined);

      if (!wantsStream(request)) {
        let batch = log.since(cursor);
        const wait = request.query.wait ?? 0;
        if (batch.entries.length === 0 && wait > 0) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              unsubscribe();
              closers.delete(done);
              resolve();
            };
            const timer = setTimeout(done, wait * 1000);
            const unsubscribe = log.subscribe(done);
            closers.add(done);
            // The response's close (not the request's) tells that the client went away.
            reply.raw.once('close', done);
          });
          batch = log.since(cursor);
        }
        return ok(request, batch);
      }

      if (closers.size >= MAX_STREAMS) throw new AuthError('RATE_LIMITED', { headers: { 'retry-after': '5' } });
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      const flush = (first: boolean) => {
        const batch = log.since(cursor);
        if (!first && batch.entries.length === 0) return;
        cursor = batch.cursor;
        res.write(sseMessage(batch));
      };
      res.write('retry: 1000\n\n');
      flush(true);
      const unsubscribe = log.subscribe(() => flush(false));
      // A ping vouches that the feed is current: skipped while the fence cannot vouch for itself.
      const ping = setInterval(() => log.isHealthy() && res.write(': ping\n\n'), PING_MS).unref();
      const close = () => {
        clearInterval(ping);
        unsubscribe();
        closers.delete(close);
        res.end();
      };
      closers.add(close);
      res.once('close', close);
    },
  );
}
