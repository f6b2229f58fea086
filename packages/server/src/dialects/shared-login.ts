import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DialectName } from '../config/settings.js';
import type { LoginRouteDeps } from './dialect-deps.js';
import { loginMmm } from './mmm/mmm-login.js';
import { MmmTokenPair } from './mmm/mmm-schemas.js';
import { loginErrors, loginStandard } from './standard/standard-login.js';
import { LoginBody, TokenPair } from './standard/standard-schemas.js';
import { envelope } from '../http/envelope.js';

/**
 * True when `standard` and `mmm` are both mounted: their one colliding route,
 * `POST /auth/login`, is then this shared route (mounted by mmm's
 * registration; standard's steps aside). Every other route of the three
 * dialects has a path of its own.
 */
export function sharesLogin(dialects: readonly DialectName[]): boolean {
  return dialects.includes('standard') && dialects.includes('mmm');
}

/**
 * `POST /auth/login` for standard and mmm together (SPEC §5): a body with a
 * `t` field is a standard login (challenge checked, standard pair); a body
 * without one is an mmm login (seed 002 sends no `t`; lockout still applies),
 * answered with the mmm pair.
 *
 * The body schema is standard's, a superset of mmm's (`account`, `password`),
 * so neither client's body is refused for a field the other dialect lacks.
 * Both dialects share the `{code,msg,data}` envelope and the SPEC §6 codes,
 * so an error — a schema error included, raised before the body is
 * classified — has the same shape whichever dialect the caller meant.
 */
export function registerSharedLogin(base: FastifyInstance, services: LoginRouteDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/auth/login',
    {
      config: { dialect: 'standard' },
      schema: {
        tags: ['standard', 'mmm'],
        summary: 'Log in (standard and mmm): with `t` a standard login and pair, without `t` an mmm login and pair',
        body: LoginBody,
        response: { 200: Type.Union([envelope(TokenPair), envelope(MmmTokenPair)]), ...loginErrors },
      },
    },
    (request) =>
      request.body.t !== undefined ? loginStandard(services, request, request.body) : loginMmm(services, request, request.body),
  );
}
