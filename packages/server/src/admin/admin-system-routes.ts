import { Type } from 'typebox';
import { ok, envelope } from '../http/envelope.js';
import { actorOf, type AdminRouteKit } from './admin-route-kit.js';
import { adminErrors, KeyData, OverviewData } from './admin-schemas.js';

/** `/admin/keys…` and `/admin/overview` (platform admins). */
export function registerAdminSystemRoutes({ app, admin, common, schema }: AdminRouteKit): void {
  app.get(
    '/admin/keys',
    {
      ...common,
      schema: schema('Signing keys with state and age', { response: { 200: envelope(Type.Array(KeyData)), ...adminErrors } }),
    },
    async (request) => ok(request, await admin.system.keys(actorOf(request))),
  );

  app.post(
    '/admin/keys/rotate',
    {
      ...common,
      schema: schema('Create a new signing key; the old ones stay published until their tokens expire (audited keys.rotated)', {
        response: { 200: envelope(KeyData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.system.rotateKey(actorOf(request))),
  );

  app.get(
    '/admin/overview',
    {
      ...common,
      schema: schema('Version, store, Redis and revocation feed, live sessions, logins of the last hour, lockouts in force', {
        response: { 200: envelope(OverviewData), ...adminErrors },
      }),
    },
    async (request) => ok(request, await admin.system.overview(actorOf(request))),
  );
}
