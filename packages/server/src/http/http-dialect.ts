import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectName } from '../config/settings.js';
import type { AuthError } from '../errors/auth-error.js';
import type { IssuedTokens } from '../sessions/issued-tokens.js';

/**
 * A wire dialect: a table of routes, token locations, answer shapes and an
 * error mapping over the one service layer. Dialects hold no auth logic.
 */
export interface HttpDialect {
  readonly name: DialectName;
  /** Request headers this dialect reads beyond the body headers: its tokens, and lin-cms's captcha `tag` (a CORS preflight must allow them, SPEC §10). */
  readonly requestHeaders: readonly string[];
  /** Sends an error in this dialect's shape. */
  sendError(error: AuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The access token of a request to a protected route, if any. */
  findAccessToken(request: FastifyRequest): string | undefined;
  /** The refresh token sent beside an access token, for auto-renew (10026). */
  findRenewToken(request: FastifyRequest): string | undefined;
  /** Data of a 10026 answer: the new pair in this dialect's shape. */
  renewData(pair: IssuedTokens, request: FastifyRequest): unknown;
  /** Mounts the dialect's routes. */
  register(app: FastifyInstance): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Dialect that owns the route: picks the error shape. */
    dialect?: DialectName;
  }
}
