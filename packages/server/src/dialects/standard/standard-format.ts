import { ERROR_CATALOGUE, SUCCESS_CODE, SUCCESS_MESSAGE, pickLanguage, refusalAnswer, type StandardTokenPair } from '@duotoken/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthError } from '../../errors/auth-error.js';
import type { IssuedTokens } from '../../sessions/issued-tokens.js';

/** `{ code: "00000", msg, data }` in the request's language. */
export function ok<T>(request: FastifyRequest, data: T) {
  return { code: SUCCESS_CODE, msg: SUCCESS_MESSAGE[pickLanguage(request.headers['accept-language'])], data };
}

/** The standard token pair (SPEC §2) for a given current time (unix seconds). */
export function standardPair(t: IssuedTokens, nowSeconds: number): StandardTokenPair {
  return {
    token_type: 'Bearer',
    access_token: t.accessToken,
    expires_in: Math.max(0, t.accessExpiresAt - nowSeconds),
    expires_at: t.accessExpiresAt,
    refresh_token: t.refreshToken,
    refresh_expires_in: Math.max(0, t.refreshExpiresAt - nowSeconds),
    refresh_expires_at: t.refreshExpiresAt,
  };
}

/**
 * Sends an error in the `{code,msg,data}` envelope with the SPEC §6 code and
 * status (standard and mmm): an access refusal as `ACCESS_REFUSALS` says, the
 * table the verifiers answer from too.
 */
export function sendEnvelopeError(error: AuthError, request: FastifyRequest, reply: FastifyReply, data: unknown = error.details ?? null) {
  const lang = pickLanguage(request.headers['accept-language']);
  if (error.headers) void reply.headers(error.headers);
  if (error.refusal) {
    const answer = refusalAnswer(error.refusal, 'standard', lang);
    if (answer.challenge) void reply.header('www-authenticate', answer.challenge);
    return reply.code(answer.status).send({ code: answer.code, msg: answer.message, data });
  }
  const entry = ERROR_CATALOGUE[error.code];
  if (entry.status === 401) void reply.header('www-authenticate', wwwAuthenticate(error));
  return reply.code(entry.status).send({ code: entry.wire, msg: entry[lang], data });
}

/** RFC 6750 §3: `invalid_token` for a presented bad token, a bare challenge otherwise. */
export function wwwAuthenticate(error: AuthError): string {
  return error.code.startsWith('ACCESS_TOKEN_') && error.code !== 'ACCESS_TOKEN_MISSING'
    ? 'Bearer realm="duotoken", error="invalid_token"'
    : 'Bearer realm="duotoken"';
}
