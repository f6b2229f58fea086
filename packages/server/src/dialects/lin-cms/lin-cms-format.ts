import { pickLanguage, type LinCmsTokenPair } from '@duotoken/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthError } from '../../errors/auth-error.js';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';
import { linCmsWire } from './lin-cms-codes.js';

/** lin-cms's bare pair: no envelope, no lifetimes (seed 001). */
export function linCmsPair(tokens: IssuedTokens): LinCmsTokenPair {
  return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken };
}

/**
 * `"METHOD /path"` as lin-cms echoes it in `request`. The query string is
 * left out: it is never needed to read the error and could carry a secret.
 */
export function requestLabel(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return `${request.method} ${q < 0 ? request.url : request.url.slice(0, q)}`;
}

/** Sends an error as lin-cms does: `{ code, message, request }` with lin-cms's code and status. */
export function sendLinCmsError(error: AuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const wire = linCmsWire(error, pickLanguage(request.headers['accept-language']));
  if (error.headers) void reply.headers(error.headers);
  if (wire.status === 401)
    void reply.header(
      'www-authenticate',
      wire.code === 10000 ? 'Bearer realm="duotoken"' : 'Bearer realm="duotoken", error="invalid_token"',
    );
  return reply.code(wire.status).send({ code: wire.code, message: wire.message, request: requestLabel(request) });
}
