import { pickLanguage } from '@duotoken/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { captchaDataUrl } from '../../auth/captcha/captcha-provider.js';
import { nowSeconds } from '../../clock/clock.js';
import { AuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { principalOf, requireAccess } from '../../http/require-access.js';
import { extractAccessToken } from '../../http/token-lookup.js';
import type { StandardDeps } from '../dialect-deps.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { standardPair } from './standard-format.js';
import { ok, envelope, ErrorEnvelope } from '../../http/envelope.js';
import { forwardAuthAnswer } from './forward-auth-answer.js';
import {
  bearer,
  ChallengeData,
  CompanyBody,
  LoginBody,
  MeData,
  PasswordBody,
  protectedErrors,
  RefreshBody,
  SessionData,
  TokenPair,
  VerifyData,
} from './standard-schemas.js';
import { findStandardRefreshToken, standardTokenLookup } from './standard-tokens.js';
import { sharesLogin } from '../shared-login.js';
import { loginErrors, loginStandard } from './standard-login.js';
import { requireRecentAuth } from '../../http/require-recent-auth.js';

/** Routes of the standard dialect (SPEC §3). */
export async function registerStandardRoutes(base: FastifyInstance, services: StandardDeps, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = services;
  const config_ = { dialect: 'standard' as const };
  const autoRenew = config.autoRenew.includes('standard');
  const guard = requireAccess(services, dialect, { autoRenew });
  // Forward-auth is asked about another request, whose URL the proxy sends in X-Original-URI or
  // X-Forwarded-Uri: only here is that URL a source of the token (#12.8).
  const lookup = { ...standardTokenLookup(config), originalUri: true };
  const forwardAuthGuard = requireAccess(
    services,
    { ...dialect, findAccessToken: (request) => extractAccessToken(request, lookup) },
    { autoRenew },
  );
  const tags = ['standard'];
  const pair = (t: Parameters<typeof standardPair>[0]) => standardPair(t, nowSeconds(services.clock));

  app.get(
    '/auth/get_t',
    {
      config: config_,
      schema: { tags, summary: 'Get a login challenge t', response: { 200: envelope(ChallengeData), 429: ErrorEnvelope } },
    },
    async (request) => {
      await services.rateLimiter.hit('get_t', request.ip);
      const { t, expiresIn } = await services.challenges.issue();
      return ok(request, {
        t,
        expires_in: expiresIn,
        captcha_required: await services.captchaPolicy.requiredForIp(request.ip),
        captcha_url: `/auth/captcha?t=${encodeURIComponent(t)}`,
      });
    },
  );

  app.get(
    '/auth/captcha',
    {
      config: config_,
      schema: {
        tags,
        summary: 'Draw a captcha bound to t (voids the previous one)',
        querystring: Type.Object({
          t: Type.String({ minLength: 1, maxLength: 64 }),
          format: Type.Optional(Type.Union([Type.Literal('svg'), Type.Literal('json')])),
        }),
        response: {
          200: Type.Union([
            Type.String({ description: 'the image (image/svg+xml by default)' }),
            envelope(Type.Object({ image: Type.String() })),
          ]),
          400: ErrorEnvelope,
          429: ErrorEnvelope,
        },
      },
    },
    async (request, reply) => {
      await services.rateLimiter.hitAddress('captcha', request.ip);
      // A drawing for an unknown `t` costs nothing and is not counted toward everyone's budget.
      await services.challenges.assertLive(request.query.t);
      await services.rateLimiter.hitGlobal('captcha');
      const drawn = await services.challenges.drawCaptcha(request.query.t);
      if (request.query.format === 'json') return ok(request, { image: captchaDataUrl(drawn) });
      // SVG text or a provider's bytes, sent as they are: the schema's string stands for any image.
      return reply.type(drawn.mime).send(drawn.image as string);
    },
  );

  // With mmm mounted too, POST /auth/login is the shared route that mmm mounts (dialects/shared-login.ts).
  if (!sharesLogin(config.dialects))
    app.post(
      '/auth/login',
      {
        config: config_,
        schema: {
          tags,
          summary: 'Log in with account, password, t and captcha',
          body: LoginBody,
          response: { 200: envelope(TokenPair), ...loginErrors },
        },
      },
      (request) => loginStandard(services, request, request.body),
    );

  const refreshSchema = {
    tags,
    summary: 'Rotate a refresh token (Authorization: Bearer, header refresh-token, or body refresh_token)',
    response: { 200: envelope(TokenPair), 401: ErrorEnvelope, 429: ErrorEnvelope },
  };
  const refreshHandler = async (request: FastifyRequest) => {
    const token = findStandardRefreshToken(request);
    if (!token) throw new AuthError('REFRESH_TOKEN_INVALID');
    return ok(request, pair(await services.refresh.refresh(token, { client: clientInfo(request) })));
  };
  app.post('/auth/refresh-token', { config: config_, schema: { ...refreshSchema, body: RefreshBody } }, refreshHandler);
  app.get('/auth/refresh-token', { config: config_, schema: refreshSchema }, refreshHandler);

  const secured = { config: config_, preValidation: guard };

  app.get(
    '/auth/me',
    { ...secured, schema: { tags, security: bearer, summary: 'Who am I', response: { 200: envelope(MeData), ...protectedErrors } } },
    async (request) => ok(request, await services.tenancy.me(principalOf(request))),
  );

  app.post(
    '/auth/change-company',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'Switch the session to another company',
        body: CompanyBody,
        response: { 200: envelope(TokenPair), ...protectedErrors },
      },
    },
    async (request) =>
      ok(request, pair(await services.tenancy.changeCompany(principalOf(request), request.body.company_id, clientInfo(request)))),
  );

  app.post(
    '/auth/logout',
    {
      ...secured,
      schema: { tags, security: bearer, summary: 'Revoke this session', response: { 200: envelope(Type.Null()), ...protectedErrors } },
    },
    async (request) => {
      const p = principalOf(request);
      await services.sessions.logout(p.sessionId, clientInfo(request), p.userId);
      return ok(request, null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'Revoke every session of this user',
        response: { 200: envelope(Type.Object({ revoked: Type.Integer() })), ...protectedErrors },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return ok(request, { revoked: (await services.sessions.logoutAll(p.userId, clientInfo(request))).length });
    },
  );

  app.get(
    '/auth/sessions',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'My live sessions',
        response: { 200: envelope(Type.Array(SessionData)), ...protectedErrors },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return ok(request, await services.sessions.list(p.userId, p.sessionId));
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'Revoke one of my sessions',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: envelope(Type.Null()), 404: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => {
      await services.sessions.revokeOwn(principalOf(request).userId, request.params.id, clientInfo(request));
      return ok(request, null);
    },
  );

  app.post(
    '/auth/password',
    {
      ...secured,
      preHandler: requireRecentAuth(services.mfa.recentAuth),
      schema: {
        tags,
        security: bearer,
        summary: 'Change my password (revokes my other sessions); the old-password check counts toward the lockout and the login limits',
        body: PasswordBody,
        response: { 200: envelope(Type.Null()), ...protectedErrors, 423: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (request) => {
      const p = principalOf(request);
      await services.passwords.change(p.userId, p.sessionId, request.body.old_password, request.body.new_password, clientInfo(request));
      return ok(request, null);
    },
  );

  app.route({
    method: ['GET', 'HEAD', 'POST'],
    url: '/auth/verify',
    config: config_,
    preValidation: forwardAuthGuard,
    schema: {
      tags,
      security: bearer,
      summary: 'Forward-auth for nginx auth_request / Traefik ForwardAuth: 200 with x-auth-* headers, else 401',
      response: { 200: envelope(VerifyData), ...protectedErrors },
    },
    // Synchronous, and built once per token: this answer is the whole cost of forward-auth, paid on every proxied request.
    handler: (request, reply) => {
      const answer = forwardAuthAnswer(principalOf(request));
      const body = answer.body[pickLanguage(request.headers['accept-language'])];
      // Already JSON of the 200 schema above: a string is sent as it is, not serialized again.
      void reply
        .headers(answer.headers)
        .type('application/json; charset=utf-8')
        .send(body as never);
    },
  });
}
