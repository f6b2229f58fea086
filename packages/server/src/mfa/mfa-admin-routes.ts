import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, adminRouteKit } from '../admin/admin-route-kit.js';
import { adminErrors, UserParams } from '../admin/admin-schemas.js';
import type { HttpDialect } from '../http/http-dialect.js';
import { ok } from '../http/envelope.js';
import { envelope } from '../http/envelope.js';
import type { AdminRouteDeps } from '../admin/admin-route-kit.js';

const UserMfaData = Type.Object({
  totp: Type.Boolean(),
  passkeys: Type.Integer(),
  recovery_codes_left: Type.Integer(),
  remembered_devices: Type.Integer(),
});

/** Admin routes of a user's second factors (#15): list (never secrets) and reset (step-up, audited, ends the sessions). */
export async function registerMfaAdminRoutes(base: FastifyInstance, services: AdminRouteDeps, dialect: HttpDialect): Promise<void> {
  const { app, admin, common, schema } = adminRouteKit(base, services, dialect);

  app.get(
    '/admin/users/:user/mfa',
    {
      ...common,
      schema: schema("A user's second factors (never a secret)", {
        params: UserParams,
        response: { 200: envelope(UserMfaData), ...adminErrors },
      }),
    },
    async (request) => {
      const f = await admin.listMfa(request.params.user, actorOf(request));
      return ok(request, {
        totp: f.totp,
        passkeys: f.passkeys,
        recovery_codes_left: f.recoveryCodesLeft,
        remembered_devices: f.rememberedDevices,
      });
    },
  );

  app.delete(
    '/admin/users/:user/mfa',
    {
      ...common,
      schema: schema("Reset a user's second factors and remembered devices; ends every session of theirs", {
        params: UserParams,
        response: { 200: envelope(Type.Null()), ...adminErrors },
      }),
    },
    async (request) => {
      await admin.resetMfa(request.params.user, actorOf(request));
      return ok(request, null);
    },
  );
}
