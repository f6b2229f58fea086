import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';

/** A unique schema name for one test run: runs sharing a database never collide. */
export function uniqueSchema(tag = 'dt'): string {
  return `${tag}_${randomBytes(6).toString('hex')}`;
}

/** `url` with `?schema=` set (other parameters kept). */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** A plain `pg` client of `url` (its `?schema=` dropped), the user filled in as libpq does: PGUSER, else the OS user. */
export async function connectPg(url: string): Promise<pg.Client> {
  const u = new URL(url);
  u.searchParams.delete('schema');
  if (!u.username && !process.env.PGUSER) u.username = userInfo().username;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  return client;
}

/** Drops a schema and everything in it, over a connection of its own. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = await connectPg(url);
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
