import { FAILURE_TYPE_ENDINGS } from '../audit/audit-outcome.js';
import type { AuditFilter } from '../store/audit-repo.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminScope, type Actor } from './admin-scope.js';
import { auditEventView, type AuditEventView } from './admin-views.js';
import { auditCsv } from './audit-csv.js';

/** Most events one CSV export holds. */
export const MAX_CSV_ROWS = 10_000;

/** Filters of the audit trail as the admin API takes them. */
export type AuditQuery = Omit<AuditFilter, 'typeEndsWithAny' | 'typeEndsWithNone'> & { outcome?: 'success' | 'failure' };

function storeFilter({ outcome, ...rest }: AuditQuery): AuditFilter {
  if (outcome === 'failure') return { ...rest, typeEndsWithAny: FAILURE_TYPE_ENDINGS };
  if (outcome === 'success') return { ...rest, typeEndsWithNone: FAILURE_TYPE_ENDINGS };
  return rest;
}

/** The audit trail for platform admins: filtered pages (newest first, by `before_id`) and CSV exports. */
export class AuditAdmin {
  constructor(private readonly deps: Pick<AdminDeps, 'store'>) {}

  /** Audit events, newest first, paged by `before_id`. */
  async query(query: AuditQuery, actor: Actor): Promise<{ items: AuditEventView[]; next_before_id: number | null }> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    const items = (await this.deps.store.queryAuditEvents(storeFilter(query))).map(auditEventView);
    return { items, next_before_id: items.length === query.limit ? (items.at(-1)?.id ?? null) : null };
  }

  /** The newest `MAX_CSV_ROWS` events matching the filters, as CSV. */
  async csv(query: Omit<AuditQuery, 'limit'>, actor: Actor): Promise<string> {
    (await AdminScope.resolve(this.deps.store, actor)).requirePlatform();
    const rows = await this.deps.store.queryAuditEvents(storeFilter({ ...query, limit: MAX_CSV_ROWS }));
    return auditCsv(rows.map(auditEventView));
  }
}
