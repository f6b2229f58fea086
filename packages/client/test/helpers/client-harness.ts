import {
  createAuthClient,
  memoryStorage,
  type AuthClient,
  type AuthClientOptions,
  type AuthTokens,
  type LoginResult,
} from '@duotoken/client';
import { ADMIN, startTestServer, type TestServer } from '@duotoken/test-kit';

export { ADMIN, startTestServer, type TestServer };

/** Settings every client test server uses: no captcha, no request limits (20 concurrent calls from one IP). */
export const CLIENT_TEST_ENV = { DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_RATE_LIMITS: 'off' } as const;

/** What a client sent and got, as seen on the wire (its `fetch` option). */
export interface WireLog {
  requests: Array<{ method: string; url: string; headers: Headers; body: string | undefined }>;
  statuses: number[];
  /** Refresh requests sent by this client. */
  refreshes(): number;
}

/** A fetch that records traffic; `intercept` may answer instead of the network. */
export function recordingFetch(intercept?: (url: URL, init: RequestInit) => Response | Promise<Response> | undefined) {
  const log: WireLog = {
    requests: [],
    statuses: [],
    refreshes: () => log.requests.filter((r) => /refresh/.test(new URL(r.url).pathname)).length,
  };
  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : input);
    log.requests.push({
      method: init.method ?? 'GET',
      url: url.href,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    const res = (await intercept?.(url, init)) ?? (await fetch(input, init));
    log.statuses.push(res.status);
    return res;
  };
  return { log, fetch: fetchImpl };
}

/** A client of `server` with in-memory storage and a wire log; `loginRequired` counts onLoginRequired calls. */
export function makeClient(server: TestServer, options: AuthClientOptions = {}, intercept?: Parameters<typeof recordingFetch>[0]) {
  const wire = recordingFetch(intercept);
  const loginRequired: string[] = [];
  const client: AuthClient = createAuthClient({
    baseUrl: server.url,
    storage: memoryStorage(),
    fetch: wire.fetch,
    onLoginRequired: (reason) => loginRequired.push(reason),
    ...options,
  });
  return { client, wire: wire.log, loginRequired };
}

/** Requests the server logged for `pathPattern` so far (what the server saw, not what the client says it sent). */
export function serverSaw(server: TestServer, pathPattern: RegExp): number {
  let count = 0;
  for (const line of server.logs) {
    if (!line.includes('incoming request')) continue;
    const entry = JSON.parse(line) as { req?: { url?: string } };
    if (entry.req?.url && pathPattern.test(entry.req.url.split('?')[0]!)) count++;
  }
  return count;
}

/** Refresh requests the server received (POST or GET /auth/refresh-token). */
export const refreshesSeen = (server: TestServer) => serverSaw(server, /^\/auth\/refresh-token$/);

/** The tokens of a login that must not need a second step (fails the test when it does). */
export async function tokensOf(login: Promise<LoginResult>): Promise<AuthTokens> {
  const result = await login;
  if (result.mfaRequired) throw new Error(`unexpected second step (${result.step})`);
  return result;
}
