import type { AuthTokens } from './token-store.js';

/** Second-factor methods a server may offer (`totp`, `recovery_code`, `webauthn`). */
export type MfaMethod = 'totp' | 'recovery_code' | 'webauthn' | (string & {});

/** The password was right and a second step is due (`10060`): finish with `verifyMfa` or `verifyMfaWithPasskey`. */
export interface MfaChallenge {
  mfaRequired: true;
  step: 'verify';
  /** Single-use, 5 minutes, bound to this user. */
  ticket: string;
  methods: MfaMethod[];
  /** Seconds the ticket lives. */
  expiresIn: number;
}

/**
 * The policy wants a factor this user does not have yet (`10064`): set up TOTP
 * with the ticket (`setupTotp({ ticket })`, `enableTotp(code, { ticket })`), then
 * `verifyMfa` with the same ticket and the *next* code.
 */
export interface MfaEnrollment {
  mfaRequired: true;
  step: 'enroll';
  ticket: string;
  methods: [];
  expiresIn: number;
}

/** What `login()` answers: the stored tokens, or the second step the server asks for. */
export type LoginResult = (AuthTokens & { mfaRequired: false }) | MfaChallenge | MfaEnrollment;

/** What `verifyMfa()` takes: the ticket and either a TOTP code or a recovery code. */
export type VerifyMfaInput = { ticket: string; rememberDevice?: boolean } & (
  { code: string; recoveryCode?: undefined } | { recoveryCode: string; code?: undefined }
);

/** What `reauth()` takes (step-up, `10063`): the password again, or a TOTP / recovery code. */
export type ReauthInput = { password: string } | { code: string } | { recoveryCode: string };

/** `GET /auth/mfa`: my factors, never a secret. */
export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
  rememberedDevices: number;
  methods: MfaMethod[];
}

/** A TOTP set-up in progress: not active until `enableTotp` confirms a code of it. */
export interface TotpSetup {
  /** Base32 key to type into an authenticator app. */
  secret: string;
  otpauthUrl: string;
  /** QR code of `otpauthUrl`, an SVG document made by the server. */
  qrSvg: string;
}

/**
 * The two WebAuthn ceremonies, as `@simplewebauthn/browser` v14 exports them.
 * The SDK loads that package only when a passkey is used (Node users never
 * load it); pass your own (a test authenticator, a native bridge) with the
 * `webauthn` option.
 */
export interface WebAuthnCeremonies {
  startRegistration(options: { optionsJSON: never }): Promise<unknown>;
  startAuthentication(options: { optionsJSON: never }): Promise<unknown>;
}

/** One of my passkeys (`GET /auth/webauthn/credentials`); times in unix seconds. */
export interface PasskeyInfo {
  id: string;
  name: string;
  /** Synced by its provider (iCloud Keychain, Google Password Manager …). */
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}
