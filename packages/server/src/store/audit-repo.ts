import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { likeText } from './like-pattern.js';
import { PreparedQuery } from './prepared-query.js';
import type { AuditEventsTable, Database } from './schema.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

/** Filters of an audit query; all optional. */
export interface AuditFilter {
  /** Exact type, or every type starting with it when it ends with a dot (`login.`). */
  type?: string;
  /** The user who acted (`user_id`). */
  userId?: number;
  /** The user acted upon (`subject_id`). */
  subjectId?: number;
  sessionId?: string;
  /** Only types ending with one of these (`.failure` …). */
  typeEndsWithAny?: readonly string[];
  /** Only types ending with none of these. */
  typeEndsWithNone?: readonly string[];
  since?: number;
  until?: number;
  limit: number;
  beforeId?: number;
}

/** A new event; the columns left out are null. */
export type AuditEventInsert = Omit<Insertable<AuditEventsTable>, 'id'>;

/** Every column of a new event, as the prepared insert binds them. */
export function auditColumns(row: AuditEventInsert): Required<AuditEventInsert> {
  return {
    at: row.at,
    type: row.type,
    user_id: row.user_id ?? null,
    session_id: row.session_id ?? null,
    ip: row.ip ?? null,
    details: row.details,
    subject_id: row.subject_id ?? null,
  };
}

/** The insert every login and many other requests make, compiled once per store. */
export function auditQueries() {
  return {
    // auditColumns over the placeholders: each one is a value, never null, so it stays in its column.
    insert: new PreparedQuery((db, p: Required<AuditEventInsert>) => db.insertInto('audit_events').values(auditColumns(p))),
  };
}

/** The audit trail. */
export function auditRepo(db: Kysely<Database>, q: ReturnType<typeof auditQueries>) {
  return {
    async insertAuditEvent(row: AuditEventInsert): Promise<void> {
      await q.insert.execute(db, auditColumns(row));
    },
    /** Newest first, paged by `beforeId`. */
    queryAuditEvents(f: AuditFilter): Promise<AuditEventRow[]> {
      let q = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(f.limit);
      if (f.type?.endsWith('.')) q = q.where(likeText(sql.ref('type'), f.type, 'prefix'));
      else if (f.type) q = q.where('type', '=', f.type);
      if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
      if (f.subjectId !== undefined) q = q.where('subject_id', '=', f.subjectId);
      if (f.sessionId) q = q.where('session_id', '=', f.sessionId);
      const any = f.typeEndsWithAny;
      if (any)
        q = any.length ? q.where((eb) => eb.or(any.map((end) => likeText(sql.ref('type'), end, 'suffix')))) : q.where(sql<boolean>`1 = 0`);
      for (const end of f.typeEndsWithNone ?? []) q = q.where(sql<boolean>`not (${likeText(sql.ref('type'), end, 'suffix')})`);
      if (f.since !== undefined) q = q.where('at', '>=', f.since);
      if (f.until !== undefined) q = q.where('at', '<', f.until);
      if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
      return q.execute();
    },
    /** How many events of each of `types` happened in [since, until) (types with none are absent). */
    async countAuditEventsByType(types: readonly string[], since: number, until: number): Promise<Record<string, number>> {
      if (!types.length) return {};
      const rows = await db
        .selectFrom('audit_events')
        .select(['type', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
        .where('type', 'in', [...types])
        .where('at', '>=', since)
        .where('at', '<', until)
        .groupBy('type')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
    },
  };
}
