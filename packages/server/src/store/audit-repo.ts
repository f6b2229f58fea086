import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, Database } from './schema.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

/** Filters of an audit query; all optional. */
export interface AuditFilter {
  type?: string;
  userId?: number;
  sessionId?: string;
  since?: number;
  until?: number;
  limit: number;
  beforeId?: number;
}

/** The audit trail. */
export function auditRepo(db: Kysely<Database>) {
  return {
    async insertAuditEvent(row: Insertable<AuditEventsTable>): Promise<void> {
      await db.insertInto('audit_events').values(row).execute();
    },
    /** Newest first, paged by `beforeId`. */
    queryAuditEvents(f: AuditFilter): Promise<AuditEventRow[]> {
      let q = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(f.limit);
      if (f.type) q = q.where('type', '=', f.type);
      if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
      if (f.sessionId) q = q.where('session_id', '=', f.sessionId);
      if (f.since !== undefined) q = q.where('at', '>=', f.since);
      if (f.until !== undefined) q = q.where('at', '<', f.until);
      if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
      return q.execute();
    },
  };
}
