import { Type } from 'typebox';
import { ok, envelope } from '../http/envelope.js';
import { actorOf, type AdminRouteKit } from './admin-route-kit.js';
import { AdminSessionPage, adminErrors, BulkRevokeBody, RevokedData, SessionListQuery, SessionParams } from './admin-schemas.js';

/** `/admin/sessions…`: live sessions across users, revoked one by one or in bulk. */
export function registerAdminSessionRoutes({ app, admin, common, schema }: AdminRouteKit): void {
  app.get(
    '/admin/sessions',
    {
      ...common,
      schema: schema('Live sessions across users, newest first (filters: user, company, device type, IP)', {
        querystring: SessionListQuery,
        response: { 200: envelope(AdminSessionPage), ...adminErrors },
      }),
    },
    async (request) => {
      const { user, company_id, device_type, ip, limit = 50, offset = 0 } = request.query;
      return ok(
        request,
        await admin.sessions.list({ user, companyId: company_id, deviceType: device_type, ip, limit, offset }, actorOf(request)),
      );
    },
  );

  app.delete(
    '/admin/sessions/:id',
    {
      ...common,
      schema: schema('Revoke a session (row, fence, audit)', {
        params: SessionParams,
        response: { 200: envelope(Type.Null()), ...adminErrors },
      }),
    },
    async (request) => {
      await admin.sessions.revoke(request.params.id, actorOf(request));
      return ok(request, null);
    },
  );

  app.post(
    '/admin/sessions/revoke',
    {
      ...common,
      schema: schema('Revoke up to 200 sessions; answers those revoked (the others are unknown, ended or not yours to revoke)', {
        body: BulkRevokeBody,
        response: { 200: envelope(RevokedData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.sessions.revokeMany(request.body.ids, actorOf(request))),
  );
}
