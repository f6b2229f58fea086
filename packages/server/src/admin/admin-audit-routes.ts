import type { Static } from 'typebox';
import { Type } from 'typebox';
import { ok, envelope, ErrorEnvelope } from '../http/envelope.js';
import { actorOf, type AdminRouteKit } from './admin-route-kit.js';
import { adminErrors, AuditCsvQuery, AuditPage, AuditQuery } from './admin-schemas.js';
import type { AuditQuery as AuditFilters } from './audit-admin.js';
import { MAX_CSV_ROWS } from './audit-admin.js';

/** The query string's filters as the service takes them (times in unix ms). */
function filtersOf(q: Static<typeof AuditCsvQuery>): Omit<AuditFilters, 'limit'> {
  return {
    type: q.type || undefined,
    userId: q.actor ?? q.user_id,
    subjectId: q.subject,
    sessionId: q.session_id || undefined,
    outcome: q.outcome,
    since: q.since === undefined ? undefined : q.since * 1000,
    until: q.until === undefined ? undefined : q.until * 1000,
    beforeId: q.before_id,
  };
}

/** `/admin/audit` and `/admin/audit.csv`: the audit trail, filtered, paged or exported (platform admins). */
export function registerAdminAuditRoutes({ app, admin, common, schema }: AdminRouteKit): void {
  app.get(
    '/admin/audit',
    {
      ...common,
      schema: schema('Audit events, newest first (filters: actor, subject, type, outcome, session, since/until; paging by before_id)', {
        querystring: AuditQuery,
        response: { 200: envelope(AuditPage), ...adminErrors },
      }),
    },
    async (request) =>
      ok(request, await admin.audit.query({ ...filtersOf(request.query), limit: request.query.limit ?? 100 }, actorOf(request))),
  );

  app.get(
    '/admin/audit.csv',
    {
      ...common,
      schema: schema(`Audit events as CSV, newest first, at most ${MAX_CSV_ROWS} (same filters as /admin/audit)`, {
        querystring: AuditCsvQuery,
        produces: ['text/csv'],
        response: {
          200: {
            description: 'text/csv; header row; cells that start like a formula are prefixed with an apostrophe',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...Object.fromEntries(
            Object.keys(adminErrors).map((status) => [status, { content: { 'application/json': { schema: ErrorEnvelope } } }]),
          ),
        },
      }),
    },
    async (request, reply) => {
      const csv = await admin.audit.csv(filtersOf(request.query), actorOf(request));
      const stamp = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/[:]/g, '-').replace('.000Z', 'Z');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="duotoken-audit-${stamp}.csv"`)
        .send(csv);
    },
  );
}
