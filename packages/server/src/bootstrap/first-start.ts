import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import { isAuthError } from '../errors/auth-error.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { Store } from '../store/store.js';

/** What the first start created, so the entry point can print the password once. */
export interface FirstStartResult {
  account: string;
  /** Set only when the password was generated here (print it once, never log it). */
  generatedPassword: string | undefined;
  companyId: number;
}

/**
 * On an empty store: creates the platform admin and a first company with the
 * admin as its member. Returns undefined when users exist already.
 */
export async function runFirstStart(
  store: Store,
  hasher: PasswordHasher,
  clock: Clock,
  admin: { account: string; password: string | undefined },
): Promise<FirstStartResult | undefined> {
  if ((await store.countUsers()) > 0) return undefined;
  const generatedPassword = admin.password ? undefined : randomBytes(15).toString('base64url');
  const passwordHash = await hasher.hash(admin.password ?? generatedPassword!);
  const now = clock.now();
  try {
    return await store.transaction(async (tx) => {
      const user = await tx.createUser({ account: admin.account, name: 'Administrator', passwordHash, isAdmin: true, now });
      const company = await tx.createCompany({ name: 'Default', now });
      await tx.upsertMembership({ userId: user.id, companyId: company.id, roles: ['admin'], isDefault: true, now });
      return { account: user.account, generatedPassword, companyId: company.id };
    });
  } catch (error) {
    // Instances started together on an empty database race here: the loser joins the winner's data.
    if (isAuthError(error) && error.code === 'CONFLICT') return undefined;
    throw error;
  }
}

/** The lines telling the operator what the first start created (the only place the password appears). */
export function firstStartMessage(result: FirstStartResult): string {
  return [
    '',
    `duotoken: first start — created admin account "${result.account}" and company #${result.companyId}.`,
    result.generatedPassword
      ? `duotoken: one-time admin password: ${result.generatedPassword}  (shown only now; change it in the web console, /console → Profile & security, or with POST /auth/password)`
      : 'duotoken: admin password taken from DUOTOKEN_ADMIN_PASSWORD.',
    '',
    '',
  ].join('\n');
}
