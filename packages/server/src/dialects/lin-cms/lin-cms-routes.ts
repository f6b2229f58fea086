import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { challengeRuleFor } from '../../auth/login-service.js';
import { AuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { principalOf, requireAccess } from '../../http/require-access.js';
import type { LinCmsDeps } from '../dialect-deps.js';
import type { MeView } from '@duotoken/protocol';
import type { HttpDialect } from '../../http/http-dialect.js';
import { changeLinCmsPassword, drawLinCmsCaptcha, passwordChangedMessage } from './lin-cms-account.js';
import { linCmsPair, sendLinCmsError } from './lin-cms-format.js';
import { refreshLinCmsToken } from './lin-cms-refresh.js';
import {
  LinCmsCaptcha,
  linCmsBearer,
  LinCmsErrorBody,
  linCmsErrors,
  LinCmsInformation,
  LinCmsLoginBody,
  LinCmsLoginHeaders,
  LinCmsPasswordBody,
  LinCmsPermissions,
  LinCmsTokenPair,
} from './lin-cms-schemas.js';

/** lin-cms's user fields for duotoken's "me": companies stand in for lin-cms's permission groups. */
function information(me: MeView) {
  return {
    id: me.user.id,
    username: me.user.account,
    nickname: me.user.name,
    avatar: null,
    email: null,
    admin: me.user.is_admin,
    groups: me.companies.map((c) => ({ id: c.id, name: c.name, info: c.roles.join(',') || null })),
  };
}

/**
 * Routes of the lin-cms dialect (SPEC §4), mounted under `/cms` in their
 * own scope, so that unknown `/cms/...` paths also answer in lin-cms's shape.
 */
export async function registerLinCmsRoutes(scope: FastifyInstance, services: LinCmsDeps, dialect: HttpDialect): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const config = { dialect: 'lin-cms' as const };
  const tags = ['lin-cms'];
  // The shared access check; its refusals carry their reason, which lin-cms's answer maps (ACCESS_REFUSALS).
  // No auto-renew: lin-cms clients send one token at a time.
  const guard = requireAccess(services, dialect, { autoRenew: false });
  const secured = { config, preValidation: guard };

  app.setNotFoundHandler((request, reply) => sendLinCmsError(new AuthError('NOT_FOUND'), request, reply));

  app.post(
    '/user/captcha',
    {
      config,
      schema: {
        tags,
        summary: 'lin-cms-vue calls it on mount: { tag, image } (image a data: URL; both null with DUOTOKEN_CAPTCHA=off)',
        response: { 200: LinCmsCaptcha, ...linCmsErrors },
      },
    },
    (request) => drawLinCmsCaptcha(services, request),
  );

  app.post(
    '/user/login',
    {
      config,
      schema: {
        tags,
        summary:
          'lin-cms login: username and password (JSON or form), captcha and header tag as the policy asks; bare { access_token, refresh_token }',
        body: LinCmsLoginBody,
        headers: LinCmsLoginHeaders,
        response: { 200: LinCmsTokenPair, ...linCmsErrors },
      },
    },
    async (request) =>
      linCmsPair(
        await services.login.login({
          account: request.body.username,
          password: request.body.password,
          // lin-cms-vue sends empty strings when it showed no captcha.
          t: request.headers.tag || undefined,
          captcha: request.body.captcha || undefined,
          dialect: 'lin-cms',
          challenge: challengeRuleFor(services.config.captcha),
          client: clientInfo(request),
        }),
      ),
  );

  app.get(
    '/user/refresh',
    {
      config,
      schema: {
        tags,
        security: linCmsBearer,
        summary: 'lin-cms refresh: Authorization: Bearer <refresh_token> → { access_token, refresh_token }',
        response: { 200: LinCmsTokenPair, ...linCmsErrors },
      },
    },
    async (request) => linCmsPair(await refreshLinCmsToken(services, request, services.config.lincmsRefresh)),
  );

  app.put(
    '/user/change_password',
    {
      ...secured,
      schema: {
        tags,
        security: linCmsBearer,
        summary: 'Change my password (revokes my other sessions): lin-cms answers 201 { code: 4, message, request }',
        body: LinCmsPasswordBody,
        response: { 201: LinCmsErrorBody, ...linCmsErrors },
      },
    },
    async (request, reply) => {
      await changeLinCmsPassword(services, request, request.body);
      return reply.code(201).send(passwordChangedMessage(request));
    },
  );

  app.get(
    '/user/information',
    {
      ...secured,
      schema: {
        tags,
        security: linCmsBearer,
        summary: 'Who am I, in lin-cms fields',
        response: { 200: LinCmsInformation, ...linCmsErrors },
      },
    },
    async (request) => information(await services.tenancy.me(principalOf(request))),
  );

  app.get(
    '/user/permissions',
    {
      ...secured,
      schema: {
        tags,
        security: linCmsBearer,
        summary: 'lin-cms-vue asks this right after login: the information plus the roles of the current company as permissions',
        response: { 200: LinCmsPermissions, ...linCmsErrors },
      },
    },
    async (request) => {
      const me = await services.tenancy.me(principalOf(request));
      const company = me.company;
      const permissions = company ? [{ [company.name]: company.roles.map((role) => ({ permission: role, module: company.name })) }] : [];
      return { ...information(me), permissions };
    },
  );
}
