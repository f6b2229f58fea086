import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { isAuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { accessCheck } from '../../http/require-access.js';
import { bearerToken } from '../../http/token-lookup.js';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';
import type { Services } from '../../services.js';
import type { HttpDialect } from '../dialect.js';
import { LinCmsError } from './lin-cms-codes.js';

/**
 * Guards a lin-cms route with the shared access check (`requireAccess`, no
 * auto-renew: lin-cms clients send one token at a time) and gives each
 * failure the typed code lin-cms-vue acts on:
 *
 * - no token → 10000 (log out);
 * - a genuine refresh token → 10250 (wrong token type);
 * - genuine, only expired → 10051, not genuine or session superseded → 10041
 *   (both: refresh, then retry);
 * - genuine, but its session was revoked → 10050 (log out: refreshing cannot help).
 */
export function requireLinCmsAccess(services: Services, dialect: HttpDialect): preValidationAsyncHookHandler {
  const check = accessCheck(services, dialect, { autoRenew: false });
  return async function guard(request) {
    try {
      await check(request);
    } catch (error) {
      throw await classifyAccessFailure(services, dialect.findAccessToken(request), error);
    }
  };
}

async function classifyAccessFailure(services: Services, token: string | undefined, error: unknown): Promise<unknown> {
  if (!isAuthError(error)) return error;
  switch (error.code) {
    case 'ACCESS_TOKEN_MISSING':
      return new LinCmsError(error.code, 10000, { cause: error });
    case 'ACCESS_TOKEN_EXPIRED':
      return new LinCmsError(error.code, 10051, { cause: error });
    case 'ACCESS_TOKEN_INVALID': {
      if (token && services.codec.parse(token)) return new LinCmsError(error.code, 10250, { cause: error });
      const verdict = token ? await sessionVerdict(services, token) : undefined;
      return new LinCmsError(error.code, verdict === 'revoked' ? 10050 : 10041, { cause: error });
    }
    default:
      return error;
  }
}

/** The session fence's verdict for a genuine access token; undefined when the token is not genuine. */
async function sessionVerdict(services: Services, token: string) {
  try {
    const { claims } = await services.accessTokens.verify(token);
    return services.fence.check(claims.sid, claims.sv);
  } catch {
    return undefined;
  }
}

async function isGenuineAccessToken(services: Services, token: string): Promise<boolean> {
  try {
    await services.accessTokens.verify(token);
    return true;
  } catch {
    return false;
  }
}

/**
 * `GET /cms/user/refresh`: trades the `Authorization: Bearer` refresh token
 * through the shared refresh service. In `keep` mode (the default: lin-cms-vue
 * never stores a rotated refresh token) the token of a session opened by a
 * lin-cms login is kept; any other dialect's token rotates here as it would on
 * its own route. Failures in lin-cms's terms:
 * no token → 10000, an access token → 10250, not a genuine refresh token →
 * 10042, genuine but expired, revoked or reused → 10052 (all but 10250 make
 * lin-cms-vue log out).
 */
export async function refreshLinCmsToken(services: Services, request: FastifyRequest, mode: 'keep' | 'rotate'): Promise<IssuedTokens> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw new LinCmsError('REFRESH_TOKEN_INVALID', 10000);
  if (!services.codec.parse(token))
    throw new LinCmsError('REFRESH_TOKEN_INVALID', (await isGenuineAccessToken(services, token)) ? 10250 : 10042);
  try {
    return await services.refresh.refresh(token, { client: clientInfo(request), keepFor: mode === 'keep' ? 'lin-cms' : undefined });
  } catch (error) {
    if (isAuthError(error) && error.code === 'REFRESH_TOKEN_INVALID') throw new LinCmsError(error.code, 10052, { cause: error });
    throw error;
  }
}
