import { sql, type RawBuilder } from 'kysely';

/** `%`, `_` and the escape character itself, taken literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `column LIKE pattern ESCAPE '\'` where `pattern` places `text` literally
 * (its `%` and `_` match only themselves). The ESCAPE clause is explicit:
 * SQLite has no default escape character (PostgreSQL's is the backslash).
 *
 * @example where(likeText(sql.ref('type'), 'login.', 'prefix'))
 */
export function likeText(column: RawBuilder<unknown>, text: string, where: 'prefix' | 'suffix' | 'anywhere'): RawBuilder<boolean> {
  const escaped = escapeLike(text);
  const pattern = where === 'prefix' ? `${escaped}%` : where === 'suffix' ? `%${escaped}` : `%${escaped}%`;
  return sql<boolean>`${column} like ${pattern} escape '\\'`;
}
