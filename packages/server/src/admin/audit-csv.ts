import type { AuditEventView } from './admin-views.js';

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): empty for null; quoted, with quotes doubled, when
 * it holds a comma, quote or line break; and prefixed with `'` when it starts
 * like a formula, so a spreadsheet shows it as text instead of running it.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns of the audit export, in order. */
const COLUMNS = ['id', 'at', 'type', 'outcome', 'actor_id', 'subject_id', 'session_id', 'ip', 'details'] as const;

/** Audit events as CSV: a header row, then one row per event (`at` in ISO 8601 UTC), lines ended by CRLF. */
export function auditCsv(events: readonly AuditEventView[]): string {
  const rows = events.map((e) =>
    COLUMNS.map((column) => csvCell(column === 'at' ? new Date(e.at * 1000).toISOString() : e[column])).join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
