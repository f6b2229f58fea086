import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { principalOf, requireAccess } from '../../http/require-access.js';
import type { MmmDeps } from '../dialect-deps.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { registerSharedLogin, sharesLogin } from '../shared-login.js';
import { ok, envelope, ErrorEnvelope } from '../../http/envelope.js';
import { loginErrors } from '../standard/standard-login.js';
import { CompanyBody, MeData, protectedErrors } from '../standard/standard-schemas.js';
import { mmmPair } from './mmm-format.js';
import { loginMmm } from './mmm-login.js';
import { MmmHeaders, MmmLoginBody, MmmRefreshHeaders, MmmTokenPair } from './mmm-schemas.js';

/**
 * Routes of the mmm dialect (seed 002, SPEC §5). Seed 002 documents login,
 * refresh and company switching; `GET /v1/auth/me` and `POST /v1/auth/logout`
 * are duotoken's, in the same shape, so a client has a protected route to
 * call and a way to end its session.
 */
export async function registerMmmRoutes(base: FastifyInstance, services: MmmDeps, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const config = { dialect: 'mmm' as const };
  const tags = ['mmm'];
  // Every protected mmm route auto-renews: the guard answers 10026 with a new pair instead of running the handler.
  const guard = requireAccess(services, dialect, { autoRenew: services.config.autoRenew.includes('mmm') });
  const secured = { config, preValidation: guard };

  if (sharesLogin(services.config.dialects)) registerSharedLogin(base, services);
  else
    app.post(
      '/auth/login',
      {
        config,
        schema: {
          tags,
          summary: 'mmm login: account and password, no headers',
          body: MmmLoginBody,
          response: { 200: envelope(MmmTokenPair), ...loginErrors },
        },
      },
      (request) => loginMmm(services, request, request.body),
    );

  app.get(
    '/v1/auth/refresh_token',
    {
      config,
      schema: {
        tags,
        summary: 'Rotate the refresh token in header x-mmm-refreshtoken',
        headers: MmmRefreshHeaders,
        response: { 200: envelope(MmmTokenPair), 401: ErrorEnvelope, 429: ErrorEnvelope, 503: ErrorEnvelope },
      },
    },
    async (request) => {
      const token = dialect.findRenewToken(request);
      if (!token) throw new AuthError('REFRESH_TOKEN_INVALID');
      return ok(request, mmmPair(await services.refresh.refresh(token, { client: clientInfo(request) })));
    },
  );

  app.post(
    '/v1/auth/change_company',
    {
      ...secured,
      schema: {
        tags,
        summary: 'Switch the session to another company: a new pair bound to it',
        headers: MmmHeaders,
        body: CompanyBody,
        response: { 200: envelope(MmmTokenPair), ...protectedErrors },
      },
    },
    async (request) =>
      ok(request, mmmPair(await services.tenancy.changeCompany(principalOf(request), request.body.company_id, clientInfo(request)))),
  );

  app.get(
    '/v1/auth/me',
    {
      ...secured,
      schema: {
        tags,
        summary: 'Who am I (duotoken extension)',
        headers: MmmHeaders,
        response: { 200: envelope(MeData), ...protectedErrors },
      },
    },
    async (request) => ok(request, await services.tenancy.me(principalOf(request))),
  );

  app.post(
    '/v1/auth/logout',
    {
      ...secured,
      schema: {
        tags,
        summary: 'Revoke this session (duotoken extension)',
        headers: MmmHeaders,
        response: { 200: envelope(Type.Null()), ...protectedErrors },
      },
    },
    async (request) => {
      const p = principalOf(request);
      await services.sessions.logout(p.sessionId, clientInfo(request), p.userId);
      return ok(request, null);
    },
  );
}
