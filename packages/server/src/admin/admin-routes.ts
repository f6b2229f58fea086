import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpDialect } from '../http/http-dialect.js';
import { ok, envelope } from '../http/envelope.js';
import { SessionData } from '../dialects/standard/standard-schemas.js';
import { registerAdminAuditRoutes } from './admin-audit-routes.js';
import { registerAdminCompanyRoutes } from './admin-company-routes.js';
import { actorOf, adminRouteKit, type AdminRouteDeps } from './admin-route-kit.js';
import {
  adminErrors,
  CreateUserBody,
  MembershipBody,
  MembershipData,
  MembershipParams,
  PasswordResetBody,
  UpdateUserBody,
  UserData,
  UserDetailData,
  UserListQuery,
  UserPage,
  UserParams,
  UserSessionParams,
  WhoamiData,
} from './admin-schemas.js';
import { registerAdminSessionRoutes } from './admin-session-routes.js';
import { registerAdminSystemRoutes } from './admin-system-routes.js';

/**
 * The admin API (`/admin/…`, SPEC §3; docs/admin-api.md): users,
 * memberships, companies, sessions across users, the audit trail, signing
 * keys and an overview, for platform admins and, within their companies,
 * company admins. It speaks the standard envelope and finds the access token
 * as the standard dialect does, whichever dialects are mounted. Handlers are
 * thin: `AdminService` checks the caller's scope, audits every change and
 * revokes or fences the sessions concerned.
 */
export async function registerAdminRoutes(base: FastifyInstance, services: AdminRouteDeps, dialect: HttpDialect): Promise<void> {
  const kit = adminRouteKit(base, services, dialect);
  const { app, admin, common, schema } = kit;
  const done = envelope(Type.Null());

  app.get(
    '/admin/whoami',
    {
      ...common,
      schema: schema('What the caller may administer (any valid token; the API enforces, the console only hides)', {
        response: { 200: envelope(WhoamiData), ...adminErrors },
      }),
    },
    async (request) => {
      const rights = await admin.whoami(actorOf(request));
      return ok(request, { platform_admin: rights.platformAdmin, company_admin_of: rights.companyAdminOf });
    },
  );

  app.get(
    '/admin/users',
    {
      ...common,
      schema: schema('List users (search, filters, sort, paging); company admins see their companies’ members', {
        querystring: UserListQuery,
        response: { 200: envelope(UserPage), ...adminErrors },
      }),
    },
    async (request) => {
      const { search, company_id, status, sort, order, limit = 50, offset = 0 } = request.query;
      return ok(
        request,
        await admin.listUsersPage(
          { search: search || undefined, companyId: company_id, status, sort, order, limit, offset },
          actorOf(request),
        ),
      );
    },
  );

  app.post(
    '/admin/users',
    {
      ...common,
      schema: schema('Create a user (company admins: into one of their companies, never a platform admin)', {
        body: CreateUserBody,
        response: { 200: envelope(UserData), ...adminErrors },
      }),
    },
    async (request) => {
      const b = request.body;
      const input = {
        account: b.account,
        password: b.password,
        name: b.name,
        isAdmin: b.is_admin,
        companyId: b.company_id,
        roles: b.roles,
      };
      return ok(request, await admin.createUser(input, actorOf(request)));
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
    async (request) => ok(request, await admin.userDetail(request.params.user, actorOf(request))),
  );

  app.patch(
    '/admin/users/:user',
    {
      ...common,
      schema: schema("Change a user's name", {
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: envelope(UserData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.updateUser(request.params.user, { name: request.body.name }, actorOf(request))),
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
    { ...common, schema: schema('Clear failed logins and the lockout', { params: UserParams, response: { 200: done, ...adminErrors } }) },
    async (request) => {
      await admin.unlock(request.params.user, actorOf(request));
      return ok(request, null);
    },
  );

  app.get(
    '/admin/users/:user/sessions',
    {
      ...common,
      schema: schema("A user's live sessions (company admins: those in their companies)", {
        params: UserParams,
        response: { 200: envelope(Type.Array(SessionData)), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.listUserSessions(request.params.user, actorOf(request))),
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

  registerAdminCompanyRoutes(kit);
  registerAdminSessionRoutes(kit);
  registerAdminAuditRoutes(kit);
  registerAdminSystemRoutes(kit);
}
