import { pickLanguage, refusalAnswer, type LinCmsTokenPair } from '@duotoken/protocol';
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

/** The lin-cms answer of an error: an access refusal from `ACCESS_REFUSALS`, anything else from lin-cms's codes. */
function linCmsAnswerOf(error: AuthError, request: FastifyRequest) {
  const lang = pickLanguage(request.headers['accept-language']);
  if (error.refusal) return refusalAnswer(error.refusal, 'lin-cms', lang);
  const wire = linCmsWire(error, lang);
  const challenge =
    wire.status !== 401 ? undefined : wire.code === 10000 ? 'Bearer realm="duotoken"' : 'Bearer realm="duotoken", error="invalid_token"';
  return { ...wire, challenge };
}

/** Sends an error as lin-cms does: `{ code, message, request }` with lin-cms's code and status. */
export function sendLinCmsError(error: AuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = linCmsAnswerOf(error, request);
  if (error.headers) void reply.headers(error.headers);
  if (answer.challenge) void reply.header('www-authenticate', answer.challenge);
  return reply.code(answer.status).send({ code: answer.code, message: answer.message, request: requestLabel(request) });
}
