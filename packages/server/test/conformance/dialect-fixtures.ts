import { decodeJwt } from 'jose';
import type { TestServer } from '../helpers/test-server.js';

/** Every dialect mounted, as the acceptance criteria run them. */
export const ALL_DIALECTS = { DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm' };

/** A raw JSON answer of any dialect. */
export interface RawAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request (JSON or form body) and parses the JSON answer, whatever its shape. */
export async function send<T = Record<string, unknown>>(
  server: TestServer,
  method: string,
  path: string,
  options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<RawAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const res = await server.fetch(path, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a user (and optionally companies it belongs to) through the admin service. */
export async function createUser(
  server: TestServer,
  account: string,
  password: string,
  companies: Array<{ name: string; roles: string[]; isDefault?: boolean }> = [],
): Promise<{ id: number; companyIds: number[] }> {
  const { admin } = server.runtime.services;
  const actor = { userId: null, ip: null };
  const user = await admin.createUser({ account, password }, actor);
  const companyIds: number[] = [];
  for (const c of companies) {
    const company = await admin.createCompany(c.name, actor);
    await admin.setMembership(user.id, company.id, c.roles, actor, c.isDefault ?? false);
    companyIds.push(company.id);
  }
  return { id: user.id, companyIds };
}

/** The claims of a JWT, unverified (the tests read what the server put there). */
export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwt(token) as Record<string, unknown>;
}

/** Now, in unix seconds, on the server's fake clock. */
export const serverNow = (server: TestServer) => Math.floor(server.clock.now() / 1000);
