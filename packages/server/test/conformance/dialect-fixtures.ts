import { decodeJwt } from 'jose';
import type { TestServer } from '../helpers/test-server.js';

/** Every dialect mounted, as the acceptance criteria run them. */
export const ALL_DIALECTS = { DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm' };

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
