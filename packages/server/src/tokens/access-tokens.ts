import { ACCESS_TOKEN_TYP, AccessTokenProofs, type AccessTokenClaims, type Proof, type SignatureCheck } from '@duotoken/protocol';
import { compactVerify, type CompactVerifyGetKey } from 'jose';
import { nowSeconds, type Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import type { KeyRing } from './key-ring.js';
import { signCompactJws } from './sign-compact-jws.js';
import type { SigningThread } from './signing-thread.js';

/** What goes into a new access token besides the registered claims. */
export interface AccessTokenSubject {
  userId: number;
  companyId: number | null;
  roles: string[];
  sessionId: string;
  sessionVersion: number;
  isAdmin: boolean;
  /** Dialect-specific extra claims (lin-cms `identity`, `scope`, `type`). */
  extra?: Record<string, unknown>;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  /** Lifetime in seconds. */
  ttl: number;
  /** Leeway in seconds for nbf/iat in the future. */
  clockTolerance: number;
}

/**
 * Issues access tokens, and proves them genuine with the checks of
 * `@duotoken/protocol` (`AccessTokenProofs`: shape, `typ`, claims, the cache)
 * around this server's own signature check (its key ring). Expiry and the
 * session are judged by the caller (`AccessGuard`), so that it can tell
 * "genuine but expired" (10027, auto-renew) from "invalid" (10028).
 */
export class AccessTokens {
  private readonly proofs: AccessTokenProofs;

  constructor(
    private readonly keys: KeyRing,
    private readonly options: AccessTokenOptions,
    private readonly clock: Clock,
    /** Where Ed25519 signatures are made; the calling thread when absent. */
    private readonly signingThread?: SigningThread,
  ) {
    this.proofs = new AccessTokenProofs(options, this.checkSignature);
  }

  /** Signs a new access token; returns it with its expiry (unix seconds). */
  async issue(subject: AccessTokenSubject): Promise<{ token: string; expiresAtS: number }> {
    const now = nowSeconds(this.clock);
    const expiresAtS = now + this.options.ttl;
    const { kid, alg, key } = this.keys.signingKey();
    const claims = {
      ...subject.extra,
      sub: String(subject.userId),
      uid: subject.userId,
      company_id: subject.companyId,
      roles: subject.roles,
      sid: subject.sessionId,
      sv: subject.sessionVersion,
      ...(subject.isAdmin ? { adm: true } : {}),
    };
    const registered = { iss: this.options.issuer, aud: this.options.audience, jti: randomId(), iat: now, nbf: now, exp: expiresAtS };
    const token = await signCompactJws({ alg, kid, typ: ACCESS_TOKEN_TYP }, { ...claims, ...registered }, key, this.signingThread);
    return { token, expiresAtS };
  }

  /** The claims of a token this process has already proven genuine and that has not expired: no signature check, no promise. */
  cached(token: string, now = nowSeconds(this.clock)): AccessTokenClaims | undefined {
    return this.proofs.cached(token, now);
  }

  /** Proves a token genuine, or says why not. An expired token is genuine too: expiry is the caller's to judge. */
  prove(token: string): Promise<Proof> {
    return this.proofs.prove(token, nowSeconds(this.clock));
  }

  private readonly getKey: CompactVerifyGetKey = async (header) => {
    const key = await this.keys.verificationKey(header.kid);
    if (!key) throw new Error('unknown kid');
    return key;
  };

  /** The signature with a published key of the ring, in an algorithm it signs with. */
  private readonly checkSignature: SignatureCheck = async (token) => {
    try {
      return await compactVerify(token, this.getKey, { algorithms: this.keys.algorithms() });
    } catch (cause) {
      return { refusal: 'signature', cause };
    }
  };
}
