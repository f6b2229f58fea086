import { ERROR_CATALOGUE, SUCCESS_CODE, SUCCESS_MESSAGE, pickLanguage, refusalAnswer } from '@duotoken/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { AuthError } from '../errors/auth-error.js';

// The `{ code, msg, data }` envelope of the standard and mmm dialects, the admin API and the revocation feed.

/** `{ code, msg, data }` with a typed `data`. */
export const envelope = <T extends TSchema>(data: T) =>
  Type.Object({ code: Type.String({ examples: ['00000'] }), msg: Type.String(), data });

/** Any error answer in the envelope. */
export const ErrorEnvelope = Type.Object({ code: Type.String({ examples: ['10028'] }), msg: Type.String(), data: Type.Unknown() });

/** `{ code: "00000", msg, data }` in the request's language. */
export function ok<T>(request: FastifyRequest, data: T) {
  return { code: SUCCESS_CODE, msg: SUCCESS_MESSAGE[pickLanguage(request.headers['accept-language'])], data };
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
