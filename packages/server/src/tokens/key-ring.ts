import { createSecretKey, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Clock } from '../clock/clock.js';
import { seal, unseal } from '../crypto/sealed-box.js';
import { sha256Hex } from '../crypto/sha256.js';
import type { Store } from '../store/store.js';
import type { SigningKeyRow } from '../store/signing-keys-repo.js';

/** A key as the ring holds it in memory. */
interface RingKey {
  kid: string;
  alg: 'EdDSA' | 'HS256';
  verifyKey: KeyObject;
  signKey: KeyObject;
  publicJwk: JWK | undefined;
  createdAt: number;
  retiredAt: number | null;
}

/** Public view of a key for `duotoken keys list`. */
export interface KeyInfo {
  kid: string;
  alg: string;
  created_at: number;
  retired_at: number | null;
  published: boolean;
  signing: boolean;
}

/** Minimum pause between two reloads triggered by unknown `kid`s. */
const RELOAD_INTERVAL_MS = 5_000;

/**
 * Access-token signing keys. With EdDSA, Ed25519 keys live in the store with
 * their private halves sealed under the server secret; the newest signs, and
 * retired keys stay published (and accepted) until the last token they signed
 * has expired. With HS256 there is one shared key and no JWKS.
 */
export class KeyRing {
  private keys = new Map<string, RingKey>();
  private signing: RingKey | undefined;
  private lastReload = 0;

  private constructor(
    private readonly source: { kind: 'store'; store: Store; sealKey: Buffer } | { kind: 'hs256'; secret: Buffer },
    private readonly clock: Clock,
    /** How long a retired key stays valid: the access-token lifetime plus leeway (ms). */
    private readonly retiredValidityMs: number,
  ) {}

  /** Opens the EdDSA ring, creating the first key when the store has none. */
  static async openEdDsa(store: Store, sealKey: Buffer, clock: Clock, retiredValidityMs: number): Promise<KeyRing> {
    const ring = new KeyRing({ kind: 'store', store, sealKey }, clock, retiredValidityMs);
    await ring.reload();
    if (!ring.signing) await ring.rotate();
    return ring;
  }

  /** A ring of one HS256 shared secret (no JWKS is published). */
  static hs256(secret: Buffer, clock: Clock): KeyRing {
    const ring = new KeyRing({ kind: 'hs256', secret }, clock, 0);
    const key = createSecretKey(secret);
    const rk: RingKey = {
      kid: `hs256-${sha256Hex(secret.toString('base64')).slice(0, 16)}`,
      alg: 'HS256',
      verifyKey: key,
      signKey: key,
      publicJwk: undefined,
      createdAt: 0,
      retiredAt: null,
    };
    ring.keys.set(rk.kid, rk);
    ring.signing = rk;
    return ring;
  }

  /** The key that signs new tokens. */
  signingKey(): { kid: string; alg: 'EdDSA' | 'HS256'; key: KeyObject } {
    const k = this.signing;
    if (!k) throw new Error('no signing key');
    return { kid: k.kid, alg: k.alg, key: k.signKey };
  }

  /** Algorithms accepted on verification (only the configured one). */
  algorithms(): string[] {
    return [this.signing?.alg ?? 'EdDSA'];
  }

  /**
   * The verification key of `kid`, or undefined when unknown or expired. An
   * unknown kid triggers one rate-limited reload (another instance may have
   * rotated).
   */
  async verificationKey(kid: string | undefined): Promise<KeyObject | undefined> {
    if (typeof kid !== 'string' || kid.length > 128) return undefined;
    let key = this.keys.get(kid);
    if (!key && this.source.kind === 'store' && this.clock.now() - this.lastReload >= RELOAD_INTERVAL_MS) {
      await this.reload();
      key = this.keys.get(kid);
    }
    if (!key || !this.isPublished(key)) return undefined;
    return key.verifyKey;
  }

  /** The JWKS document: every key still published. */
  jwks(): { keys: JWK[] } {
    return {
      keys: [...this.keys.values()]
        .filter((k) => k.publicJwk && this.isPublished(k))
        .map((k) => ({ ...k.publicJwk!, kid: k.kid, alg: k.alg, use: 'sig' })),
    };
  }

  /** Every key with its state, for the CLI. */
  list(): KeyInfo[] {
    return [...this.keys.values()].map((k) => ({
      kid: k.kid,
      alg: k.alg,
      created_at: k.createdAt,
      retired_at: k.retiredAt,
      published: this.isPublished(k),
      signing: k === this.signing,
    }));
  }

  /** Re-reads the keys from the store (picks up a rotation made elsewhere). */
  async reload(): Promise<void> {
    if (this.source.kind !== 'store') return;
    this.lastReload = this.clock.now();
    const rows = await this.source.store.listSigningKeys();
    const keys = new Map<string, RingKey>();
    for (const row of rows) keys.set(row.kid, this.keyFromRow(row, this.source.sealKey));
    this.keys = keys;
    this.signing = [...keys.values()].filter((k) => k.retiredAt === null).sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  /** Creates a new signing key and retires the others; returns the new kid. */
  async rotate(): Promise<string> {
    if (this.source.kind !== 'store') throw new Error('HS256 keys are rotated by changing DUOTOKEN_JWT_SECRET');
    const { store, sealKey } = this.source;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk);
    const now = this.clock.now();
    await store.transaction(async (tx) => {
      await tx.insertSigningKey({
        kid,
        alg: 'EdDSA',
        public_jwk: JSON.stringify(publicJwk),
        private_sealed: seal(sealKey, JSON.stringify(privateKey.export({ format: 'jwk' }))),
        created_at: now,
        retired_at: null,
      });
      await tx.retireOtherKeys(kid, now);
      await tx.deleteKeysRetiredBefore(now - this.retiredValidityMs * 2);
    });
    await this.reload();
    return kid;
  }

  private isPublished(k: RingKey): boolean {
    return k.retiredAt === null || this.clock.now() < k.retiredAt + this.retiredValidityMs;
  }

  private keyFromRow(row: SigningKeyRow, sealKey: Buffer): RingKey {
    const publicJwk = JSON.parse(row.public_jwk) as JWK;
    let signKey: KeyObject;
    try {
      signKey = createPrivateKey({ key: JSON.parse(unseal(sealKey, row.private_sealed)), format: 'jwk' });
    } catch (error) {
      throw new Error(
        `cannot unseal signing key ${row.kid}: the server secret (DUOTOKEN_SECRET or data/secret.key) is not the one that sealed it`,
        { cause: error },
      );
    }
    return {
      kid: row.kid,
      alg: 'EdDSA',
      verifyKey: createPublicKey({ key: publicJwk as never, format: 'jwk' }),
      signKey,
      publicJwk,
      createdAt: Number(row.created_at),
      retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    };
  }
}
