import { Secret, TOTP } from 'otpauth';
import { toString as qrToString } from 'qrcode';

/** RFC 6238 as authenticator apps read it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_S = 30;
const PARAMS = { algorithm: 'SHA1', digits: 6, period: PERIOD_S } as const;

/** A new TOTP secret (160 bits, RFC 4226 §4), base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URL and its QR code (SVG) for an authenticator app. */
export async function totpEnrollment(secret: string, issuer: string, label: string): Promise<{ url: string; qrSvg: string }> {
  const url = new TOTP({ ...PARAMS, issuer, label, secret: Secret.fromBase32(secret) }).toString();
  return { url, qrSvg: await qrToString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}

/**
 * The 30-second step whose code `code` is, within ±1 step of `nowMs`, or
 * null. The caller refuses a step already used (replay).
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({ ...PARAMS, token: code, secret: Secret.fromBase32(secret), timestamp: nowMs, window: 1 });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_S) + delta;
}

/** The code of an instant (tests, and the CLI's self-check). */
export function totpCodeAt(secret: string, nowMs: number): string {
  return TOTP.generate({ ...PARAMS, secret: Secret.fromBase32(secret), timestamp: nowMs });
}
