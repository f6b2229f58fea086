import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import { hmac } from '../crypto/server-secret.js';
import type { Store } from '../store/store.js';

/**
 * "Remember this device" (SPEC §9): a token `<id>.<secret>` given after a
 * second step, stored as a keyed hash. It skips the second step of its user
 * on every login until it expires — not once (better-auth #2728) — and dies
 * with a password change, an MFA reset or "forget my devices".
 */
export class RememberedDevices {
  constructor(private readonly deps: { store: Store; clock: Clock; hashKey: Buffer; rememberSeconds: number }) {}

  /** False when `DUOTOKEN_MFA_REMEMBER` is 0. */
  get enabled(): boolean {
    return this.deps.rememberSeconds > 0;
  }

  /** Remembers a device of the user; returns its token (shown once). */
  async remember(userId: number): Promise<{ token: string; expiresAtMs: number }> {
    const { store, clock, hashKey, rememberSeconds } = this.deps;
    const id = randomId();
    const secret = randomId(32);
    const now = clock.now();
    const expiresAtMs = now + rememberSeconds * 1000;
    await store.insertMfaDevice({
      id,
      user_id: userId,
      token_hash: hmac(hashKey, secret),
      created_at: now,
      expires_at: expiresAtMs,
      last_used_at: now,
    });
    return { token: `${id}.${secret}`, expiresAtMs };
  }

  /** True when `token` is a live remembered device of this user. */
  async admits(userId: number, token: string | undefined): Promise<boolean> {
    if (!this.enabled || !token) return false;
    const [id, secret] = token.split('.');
    if (!id || !secret || id.length > 64) return false;
    const row = await this.deps.store.findMfaDevice(id);
    if (!row || row.user_id !== userId || Number(row.expires_at) <= this.deps.clock.now()) return false;
    const presented = Buffer.from(hmac(this.deps.hashKey, secret));
    const stored = Buffer.from(row.token_hash);
    return presented.length === stored.length && timingSafeEqual(presented, stored);
  }
}
