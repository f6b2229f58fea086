import { timingSafeEqual } from 'node:crypto';
import { OPAQUE_REFRESH_TOKEN } from '@duotoken/protocol';
import { hmac } from '../crypto/server-secret.js';

/**
 * Refresh tokens are opaque: `<jti>.<HMAC-SHA256(refreshKey, jti)>`. They are
 * deterministic in `jti`, so within the grace window the server can hand the
 * same successor string to a second caller while storing only the `jti`;
 * without the server secret a database dump cannot rebuild them. The store is
 * asked for a `jti` only after its HMAC checks out.
 */
export class RefreshTokenCodec {
  constructor(private readonly key: Buffer) {}

  /** The token string of a `jti`. */
  mint(jti: string): string {
    return `${jti}.${hmac(this.key, `rt1:${jti}`)}`;
  }

  /** The `jti` of a genuine token, or undefined for anything else. */
  parse(token: string): string | undefined {
    if (token.length > 200) return undefined;
    const match = OPAQUE_REFRESH_TOKEN.exec(token);
    if (!match) return undefined;
    const [, jti, mac] = match as unknown as [string, string, string];
    const expected = Buffer.from(hmac(this.key, `rt1:${jti}`));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? jti : undefined;
  }
}
