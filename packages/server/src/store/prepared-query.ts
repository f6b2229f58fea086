import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A name for each SQL text a `PreparedQuery` compiled, so that PostgreSQL
 * parses and plans it once per connection (open-postgres.ts) instead of on
 * every run. Bounded: the texts are those of the store's fixed statements.
 */
const statementNames = new Map<string, string>();

/** The statement name of `sqlText` if a `PreparedQuery` compiled it; `undefined` for any other query. */
export function preparedStatementName(sqlText: string): string | undefined {
  return statementNames.get(sqlText);
}

/** Stands for a parameter in a query built once; replaced by the call's value on every run. */
class Placeholder {
  constructor(readonly name: string) {}
}

type Placeholders<A> = { readonly [K in keyof A]: A[K] };

/**
 * A query built and compiled once, run many times with new parameter values.
 *
 * Building a Kysely query (builder objects, operation nodes, frozen copies,
 * the SQL compiler) costs more CPU than SQLite takes to run a small indexed
 * statement; on the refresh hot path it was a fifth of all CPU (bench/). The
 * builder callback receives placeholders typed as the arguments; each
 * placeholder travels through Kysely as an opaque parameter value, so the
 * compiled parameter list records where every argument goes. Execution goes
 * through `executeQuery` of whatever executor is passed (the pool or a
 * transaction), so transactions and connections work as usual. Plugins see
 * the query once, when it is compiled, and every run reuses its query id:
 * the store uses none (PostgreSQL's schema is the connection's search_path).
 */
export class PreparedQuery<A extends Record<string, unknown>, R> {
  private compiled: CompiledQuery<R> | undefined;
  /** For each compiled parameter: the argument name, or the constant itself. */
  private slots: Array<{ arg: string } | { value: unknown }> = [];

  constructor(private readonly build: (db: Kysely<Database>, args: Placeholders<A>) => Compilable<R>) {}

  /** Runs the query with `args` on `db`; the first call compiles it with `db`'s dialect. */
  async execute(db: Kysely<Database>, args: A): Promise<R[]> {
    const result = await db.executeQuery<R>(this.bind(db, args));
    return result.rows;
  }

  /** The query with `args` in place, for an executor outside Kysely (SQLite's group commit); compiled with `db`'s dialect. */
  bind(db: Kysely<Database>, args: A): CompiledQuery<R> {
    const template = this.compiled ?? this.compile(db);
    const parameters = this.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    return { ...template, parameters };
  }

  async executeTakeFirst(db: Kysely<Database>, args: A): Promise<R | undefined> {
    return (await this.execute(db, args))[0];
  }

  private compile(db: Kysely<Database>): CompiledQuery<R> {
    const names = new Proxy({} as Placeholders<A>, { get: (_target, name) => new Placeholder(String(name)) });
    const compiled = this.build(db, names).compile();
    this.slots = compiled.parameters.map((p) => (p instanceof Placeholder ? { arg: p.name } : { value: p }));
    if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `duotoken_${statementNames.size + 1}`);
    this.compiled = compiled;
    return compiled;
  }
}
