import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { HttpDialect } from '../dialects/dialect.js';
import { ok } from '../dialects/standard/standard-format.js';
import { bearer, envelope, SessionData } from '../dialects/standard/standard-schemas.js';
import { AuthError } from '../errors/auth-error.js';
import { principalOf, requireAccess } from '../http/require-access.js';
import type { Services } from '../services.js';
import type { Actor } from './admin-service.js';
import {
  adminErrors,
  AuditPage,
  AuditQuery,
  CompanyData,
  CreateCompanyBody,
  CreateUserBody,
  MembershipBody,
  MembershipData,
  MembershipParams,
  PasswordResetBody,
  UserData,
  UserDetailData,
  UserListQuery,
  UserPage,
  UserParams,
  UserSessionParams,
} from './admin-schemas.js';

/** 10030 unless the verified access token says platform admin (`adm: true`). */
const adminOnly: preValidationAsyncHookHandler = async (request) => {
  if (!principalOf(request).isAdmin) throw new AuthError('FORBIDDEN', { details: { reason: 'platform admin only' } });
};

const actorOf = (request: FastifyRequest): Actor => ({ userId: principalOf(request).userId, ip: request.ip ?? null });

/**
 * The admin API (`/admin/…`, SPEC §3): users, companies, memberships, a
 * user's sessions, lockouts and the audit trail, for platform admins only.
 * It speaks the standard envelope and finds the access token as the
 * standard dialect does, whichever dialects are mounted. Every change goes
 * through `AdminService`, which audits it and fences affected sessions.
 */
export async function registerAdminRoutes(base: FastifyInstance, services: Services, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { admin } = services;
  const common = {
    config: { dialect: 'standard' as const },
    preValidation: [requireAccess(services, dialect, { autoRenew: false }), adminOnly],
  };
  const schema = <T extends object>(summary: string, extra: T) => ({ tags: ['admin'], security: bearer, summary, ...extra });
  const done = envelope(Type.Null());

  app.get(
    '/admin/users',
    {
      ...common,
      schema: schema('List users (search, paging)', { querystring: UserListQuery, response: { 200: envelope(UserPage), ...adminErrors } }),
    },
    async (request) => {
      const { search, limit = 50, offset = 0 } = request.query;
      return ok(request, await admin.listUsersPage({ search: search || undefined, limit, offset }));
    },
  );

  app.post(
    '/admin/users',
    { ...common, schema: schema('Create a user', { body: CreateUserBody, response: { 200: envelope(UserData), ...adminErrors } }) },
    async (request) => {
      const b = request.body;
      return ok(
        request,
        await admin.createUser({ account: b.account, password: b.password, name: b.name, isAdmin: b.is_admin }, actorOf(request)),
      );
    },
  );

  app.get(
    '/admin/users/:user',
    {
      ...common,
      schema: schema('A user with memberships and lockout state', {
        params: UserParams,
        response: { 200: envelope(UserDetailData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.userDetail(request.params.user)),
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const)
    app.post(
      `/admin/users/:user/${action}`,
      {
        ...common,
        schema: schema(action === 'disable' ? 'Disable a user (revokes every session at once)' : 'Enable a user', {
          params: UserParams,
          response: { 200: envelope(UserData), ...adminErrors },
        }),
      },
      async (request) => ok(request, await admin.setUserStatus(request.params.user, status, actorOf(request))),
    );

  app.post(
    '/admin/users/:user/password',
    {
      ...common,
      schema: schema('Set a new password (revokes every session, clears the lockout)', {
        params: UserParams,
        body: PasswordResetBody,
        response: { 200: done, ...adminErrors },
      }),
    },
    async (request) => {
      await admin.resetPassword(request.params.user, request.body.password, actorOf(request));
      return ok(request, null);
    },
  );

  app.post(
    '/admin/users/:user/unlock',
    {
      ...common,
      schema: schema('Clear failed logins and the lockout', { params: UserParams, response: { 200: done, ...adminErrors } }),
    },
    async (request) => {
      await admin.unlock(request.params.user, actorOf(request));
      return ok(request, null);
    },
  );

  app.get(
    '/admin/users/:user/sessions',
    {
      ...common,
      schema: schema("A user's live sessions", {
        params: UserParams,
        response: { 200: envelope(Type.Array(SessionData)), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.listUserSessions(request.params.user)),
  );

  app.delete(
    '/admin/users/:user/sessions',
    {
      ...common,
      schema: schema("Revoke all of a user's sessions", {
        params: UserParams,
        response: { 200: envelope(Type.Object({ revoked: Type.Integer() })), ...adminErrors },
      }),
    },
    async (request) => ok(request, { revoked: (await admin.revokeUserSessions(request.params.user, undefined, actorOf(request))).length }),
  );

  app.delete(
    '/admin/users/:user/sessions/:id',
    {
      ...common,
      schema: schema("Revoke one of a user's sessions", { params: UserSessionParams, response: { 200: done, ...adminErrors } }),
    },
    async (request) => {
      await admin.revokeUserSessions(request.params.user, request.params.id, actorOf(request));
      return ok(request, null);
    },
  );

  app.put(
    '/admin/users/:user/memberships/:companyId',
    {
      ...common,
      schema: schema("Add a membership or change its roles (fences the user's sessions in that company)", {
        params: MembershipParams,
        body: MembershipBody,
        response: { 200: envelope(MembershipData), ...adminErrors },
      }),
    },
    async (request) => {
      const { user, companyId } = request.params;
      const { roles, is_default } = request.body;
      return ok(request, await admin.setMembership(user, companyId, roles, actorOf(request), is_default ?? false));
    },
  );

  app.delete(
    '/admin/users/:user/memberships/:companyId',
    {
      ...common,
      schema: schema("Remove a membership (revokes the user's sessions in that company)", {
        params: MembershipParams,
        response: { 200: done, ...adminErrors },
      }),
    },
    async (request) => {
      await admin.removeMembership(request.params.user, request.params.companyId, actorOf(request));
      return ok(request, null);
    },
  );

  app.get(
    '/admin/companies',
    { ...common, schema: schema('List companies', { response: { 200: envelope(Type.Array(CompanyData)), ...adminErrors } }) },
    async (request) => ok(request, await admin.listCompanies()),
  );

  app.post(
    '/admin/companies',
    {
      ...common,
      schema: schema('Create a company', { body: CreateCompanyBody, response: { 200: envelope(CompanyData), ...adminErrors } }),
    },
    async (request) => ok(request, await admin.createCompany(request.body.name, actorOf(request))),
  );

  app.get(
    '/admin/audit',
    {
      ...common,
      schema: schema('Audit events, newest first (filters: type, user, session, since/until; paging by before_id)', {
        querystring: AuditQuery,
        response: { 200: envelope(AuditPage), ...adminErrors },
      }),
    },
    async (request) => {
      const q = request.query;
      return ok(
        request,
        await admin.queryAudit({
          type: q.type || undefined,
          userId: q.user_id,
          sessionId: q.session_id || undefined,
          since: q.since === undefined ? undefined : q.since * 1000,
          until: q.until === undefined ? undefined : q.until * 1000,
          limit: q.limit ?? 100,
          beforeId: q.before_id,
        }),
      );
    },
  );
}
