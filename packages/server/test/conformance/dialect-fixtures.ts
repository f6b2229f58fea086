import { decodeJwt } from 'jose';
import { send, type RawAnswer } from '@duotoken/test-kit/send';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';
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

/**
 * `POST /cms/user/login` as lin-cms-vue sends it: a captcha from `POST
 * /cms/user/captcha` first, its answer (read from the server's store) in the
 * body and its tag in a header; no captcha when the policy is off.
 */
export async function linCmsLogin<T = { access_token: string; refresh_token: string }>(
  server: TestServer,
  username: string,
  password: string,
): Promise<RawAnswer<T>> {
  const { tag } = (await send<{ tag: string | null }>(server, 'POST', '/cms/user/captcha')).body;
  const captcha = tag ? await captchaAnswer(server, tag) : '';
  return send<T>(server, 'POST', '/cms/user/login', { json: { username, password, captcha }, headers: { tag: tag ?? '' } });
}
