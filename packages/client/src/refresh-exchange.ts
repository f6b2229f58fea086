import { AuthClientError, networkError } from './client-errors.js';
import { isRefusal, type ClientDialect } from './dialects/client-dialect.js';
import type { HttpTransport, WireAnswer } from './http-transport.js';
import type { ExchangeResult } from './refresh-flight.js';

/**
 * Trades a refresh token for a new pair, in the dialect's way, within a
 * timeout. A 4xx (but 408/429) is a refusal that ends the session;
 * anything else that is not a pair (network, timeout, 429, 5xx, a garbled
 * answer) leaves the session as it is.
 */
export async function exchangeRefreshToken(
  transport: HttpTransport,
  dialect: ClientDialect,
  refreshToken: string,
  timeoutMs: number,
  clockOffsetMs: () => number,
): Promise<ExchangeResult> {
  const signal = typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(timeoutMs) : undefined;
  let answer: WireAnswer;
  try {
    answer = await transport.send(dialect.refreshRequest(refreshToken), { signal });
  } catch (error) {
    return { kind: 'unavailable', error: error instanceof AuthClientError ? error : networkError(error) };
  }
  if (isRefusal(answer.status)) return { kind: 'refused', code: errorCode(answer.body) ?? String(answer.status) };
  try {
    const pair = dialect.readPair(dialect.unwrap(answer.status, answer.body));
    return { kind: 'ok', tokens: { ...pair, clockOffsetMs: clockOffsetMs() } };
  } catch (error) {
    const status = answer.status;
    return {
      kind: 'unavailable',
      error: new AuthClientError('SERVER_UNAVAILABLE', `refresh failed (HTTP ${status})`, { status, cause: error }),
    };
  }
}

function errorCode(body: unknown): string | undefined {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}
