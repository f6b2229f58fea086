import type { FastifyRequest } from 'fastify';
import { isAuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { bearerToken } from '../../http/token-lookup.js';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';
import type { LinCmsDeps } from '../dialect-deps.js';
import { LinCmsError } from './lin-cms-codes.js';

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
export async function refreshLinCmsToken(services: LinCmsDeps, request: FastifyRequest, mode: 'keep' | 'rotate'): Promise<IssuedTokens> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw new LinCmsError('REFRESH_TOKEN_INVALID', 10000);
  if (!services.codec.parse(token))
    throw new LinCmsError('REFRESH_TOKEN_INVALID', (await services.accessTokens.prove(token)).ok ? 10250 : 10042);
  try {
    return await services.refresh.refresh(token, { client: clientInfo(request), keepFor: mode === 'keep' ? 'lin-cms' : undefined });
  } catch (error) {
    if (isAuthError(error) && error.code === 'REFRESH_TOKEN_INVALID') throw new LinCmsError(error.code, 10052, { cause: error });
    throw error;
  }
}
