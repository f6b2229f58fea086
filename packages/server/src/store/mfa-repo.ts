import type { Kysely, Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { Database, MfaDevicesTable, MfaTotpTable, WebauthnCredentialsTable } from './schema.js';

export type MfaTotpRow = Selectable<MfaTotpTable>;
export type MfaDeviceRow = Selectable<MfaDevicesTable>;
export type WebauthnCredentialRow = Selectable<WebauthnCredentialsTable>;

/** What a user has enrolled, without any secret (login's second step, `GET /auth/mfa`, the admin listing). */
export interface MfaFactorCounts {
  totp: boolean;
  recoveryCodesLeft: number;
  passkeys: number;
}

/** The statements of every login (factors) and of its second step (recovery code), compiled once per store. */
export function mfaQueries() {
  return {
    countFactors: new PreparedQuery((db, p: { userId: number }) =>
      db.selectNoFrom((eb) => [
        eb
          .selectFrom('mfa_totp')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('user_id', '=', p.userId)
          .where('enabled_at', 'is not', null)
          .as('totp'),
        eb
          .selectFrom('mfa_recovery_codes')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('user_id', '=', p.userId)
          .where('used_at', 'is', null)
          .as('codes'),
        eb
          .selectFrom('webauthn_credentials')
          .select((e) => e.fn.countAll<number>().as('n'))
          .where('user_id', '=', p.userId)
          .as('keys'),
      ]),
    ),
    useRecoveryCode: new PreparedQuery((db, p: { userId: number; codeHash: string; now: number }) =>
      db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: p.now })
        .where('user_id', '=', p.userId)
        .where('code_hash', '=', p.codeHash)
        .where('used_at', 'is', null)
        .returning('id'),
    ),
  };
}

/** Second factors: TOTP, recovery codes, remembered devices, WebAuthn credentials (migration 0006). */
export function mfaRepo(db: Kysely<Database>, q: ReturnType<typeof mfaQueries>) {
  return {
    async findTotp(userId: number): Promise<MfaTotpRow | undefined> {
      return db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
    },

    /** Starts (or restarts) a TOTP set-up: a new sealed secret, not active until confirmed. */
    async putPendingTotp(userId: number, secretSealed: string, now: number): Promise<void> {
      const row = { secret_sealed: secretSealed, enabled_at: null, last_step: 0, created_at: now };
      await db
        .insertInto('mfa_totp')
        .values({ user_id: userId, ...row })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
        .execute();
    },

    /** Activates the pending secret; `step` is the step of the confirming code (not accepted again). */
    async enableTotp(userId: number, step: number, now: number): Promise<boolean> {
      const r = await db
        .updateTable('mfa_totp')
        .set({ enabled_at: now, last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Records that the code of `step` was accepted, only if no code of this
     * step or a later one was: one conditional UPDATE, so of two requests
     * presenting the same code exactly one wins (replay in the same step).
     */
    async claimTotpStep(userId: number, step: number): Promise<boolean> {
      const r = await db
        .updateTable('mfa_totp')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is not', null)
        .where('last_step', '<', step)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async deleteTotp(userId: number): Promise<boolean> {
      const r = await db.deleteFrom('mfa_totp').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Replaces the user's recovery codes with a new set (hashes). */
    async replaceRecoveryCodes(userId: number, codeHashes: string[], now: number): Promise<void> {
      await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      if (codeHashes.length)
        await db
          .insertInto('mfa_recovery_codes')
          .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null, created_at: now })))
          .execute();
    },

    /** Spends one recovery code: a conditional UPDATE, so a code works once even when presented twice at once. */
    async useRecoveryCode(userId: number, codeHash: string, now: number): Promise<boolean> {
      return (await q.useRecoveryCode.execute(db, { userId, codeHash, now })).length === 1;
    },

    /** One statement (every password login asks it, of known and unknown accounts alike). */
    async countMfaFactors(userId: number): Promise<MfaFactorCounts> {
      const row = (await q.countFactors.executeTakeFirst(db, { userId }))!;
      return { totp: Number(row.totp) > 0, recoveryCodesLeft: Number(row.codes), passkeys: Number(row.keys) };
    },

    async insertMfaDevice(row: MfaDeviceRow): Promise<void> {
      await db.insertInto('mfa_devices').values(row).execute();
    },

    async findMfaDevice(id: string): Promise<MfaDeviceRow | undefined> {
      return db.selectFrom('mfa_devices').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async touchMfaDevice(id: string, now: number): Promise<void> {
      await db.updateTable('mfa_devices').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    async listMfaDevices(userId: number, now: number): Promise<MfaDeviceRow[]> {
      return db
        .selectFrom('mfa_devices')
        .selectAll()
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .orderBy('created_at')
        .execute();
    },

    /** Forgets every remembered device of a user (password change, MFA reset, "forget my devices"). */
    async deleteMfaDevices(userId: number): Promise<number> {
      const r = await db.deleteFrom('mfa_devices').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Records a new interactive authentication of a live session (`POST /auth/reauth`): its `auth_time` and `amr`. */
    async setSessionAuthentication(sessionId: string, authTimeMs: number, amr: string): Promise<boolean> {
      const r = await db
        .updateTable('sessions')
        .set({ auth_time: authTimeMs, amr })
        .where('id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async insertWebauthnCredential(row: WebauthnCredentialRow): Promise<void> {
      await db.insertInto('webauthn_credentials').values(row).execute();
    },

    async findWebauthnCredential(id: string): Promise<WebauthnCredentialRow | undefined> {
      return db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async listWebauthnCredentials(userId: number): Promise<WebauthnCredentialRow[]> {
      return db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    },

    /** Records a use: the new signature counter (only forward, so two racing uses cannot both pass one value) and the time. */
    async useWebauthnCredential(id: string, counter: number, now: number): Promise<boolean> {
      const r = await db
        .updateTable('webauthn_credentials')
        .set({ counter, last_used_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('counter', '<', counter), eb('counter', '=', 0)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async deleteWebauthnCredential(userId: number, id: string): Promise<boolean> {
      const r = await db.deleteFrom('webauthn_credentials').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Everything MFA of a user (admin reset): TOTP, codes, devices, passkeys. */
    async deleteAllMfa(userId: number): Promise<void> {
      for (const table of ['mfa_totp', 'mfa_recovery_codes', 'mfa_devices', 'webauthn_credentials'] as const)
        await db.deleteFrom(table).where('user_id', '=', userId).execute();
    },
  };
}
