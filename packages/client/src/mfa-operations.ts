import type { AuthSession } from './auth-session.js';
import { AuthClientError, isAuthClientError } from './client-errors.js';
import { readEnvelopePair, type ClientDialect, type TokenPairTimes, type WireRequest } from './dialects/client-dialect.js';
import type {
  LoginResult,
  MfaChallenge,
  MfaEnrollment,
  MfaMethod,
  MfaStatus,
  PasskeyInfo,
  ReauthInput,
  TotpSetup,
  VerifyMfaInput,
  WebAuthnCeremonies,
} from './mfa-types.js';
import type { AuthTokens, TokenStorage } from './token-store.js';

const MFA_REQUIRED = '10060';
const MFA_ENROLL_REQUIRED = '10064';
/** Header of the enrollment ticket on the TOTP set-up routes (SPEC §9). */
const ENROLL_TICKET_HEADER = 'mfa-ticket';

/** What the MFA operations need from the client that owns them. */
export interface MfaContext {
  session: AuthSession;
  dialect: ClientDialect;
  /** An authenticated JSON call of the API, unwrapped (throws AuthClientError). */
  call(method: string, path: string, json?: unknown): Promise<unknown>;
  /** Where the remembered-device token lives (the token storage). */
  storage: TokenStorage;
  storageKey: string;
  ceremonies: WebAuthnCeremonies;
}

/** The second step `login()` reports instead of throwing, read from a 10060 / 10064 refusal; undefined for any other error. */
export function readSecondStep(error: unknown): MfaChallenge | MfaEnrollment | undefined {
  if (!isAuthClientError(error)) return undefined;
  const data = (error.data ?? {}) as Record<string, unknown>;
  const expiresIn = typeof data.expires_in === 'number' ? data.expires_in : 0;
  if (error.code === MFA_REQUIRED && typeof data.mfa_ticket === 'string') {
    const methods = Array.isArray(data.methods) ? data.methods.filter((m): m is MfaMethod => typeof m === 'string') : [];
    return { mfaRequired: true, step: 'verify', ticket: data.mfa_ticket, methods, expiresIn };
  }
  if (error.code === MFA_ENROLL_REQUIRED && typeof data.enroll_ticket === 'string')
    return { mfaRequired: true, step: 'enroll', ticket: data.enroll_ticket, methods: [], expiresIn };
  return undefined;
}

/** Passkey login, reauth and passkey registration answer the standard pair whatever the client's dialect. */
const readStandardPair = (data: unknown): TokenPairTimes => readEnvelopePair(data, { access: 'expires_at', refresh: 'refresh_expires_at' });

/** The MFA operations of an {@link AuthClient} (SPEC §9; standard and mmm dialects). */
export function createMfaOperations(ctx: MfaContext) {
  const { session, dialect, call } = ctx;
  const deviceKey = `${ctx.storageKey}.mfa-device`;
  const supported = () => {
    if (dialect.name === 'lin-cms')
      throw new AuthClientError('UNSUPPORTED', 'lin-cms has no second step: sign in with the standard dialect');
  };
  /** An unauthenticated request of the MFA routes, unwrapped. */
  const send = async (request: WireRequest): Promise<unknown> => {
    const answer = await session.send(request);
    return dialect.unwrap(answer.status, answer.body);
  };
  const store = async (pair: TokenPairTimes, previous: string | null): Promise<AuthTokens> => session.storePair(pair, previous);
  /** Posts the second step; keeps the remembered-device token it may answer. */
  const finish = async (json: Record<string, unknown>): Promise<AuthTokens> => {
    supported();
    const previous = (await session.tokens())?.refreshToken ?? null;
    const data = await send({ method: 'POST', path: '/auth/mfa/verify', headers: {}, json });
    const deviceToken = (data as { device_token?: unknown } | null)?.device_token;
    if (typeof deviceToken === 'string') await ctx.storage.set(deviceKey, deviceToken);
    return store(dialect.readPair(data), previous);
  };
  const enrollHeaders = (ticket: string | undefined): Record<string, string> => (ticket ? { [ENROLL_TICKET_HEADER]: ticket } : {});

  return {
    /** The remembered-device token this client keeps (sent with every login), if any. */
    rememberedDevice: async (): Promise<string | null> => (await ctx.storage.get(deviceKey)) ?? null,
    forgetRememberedDevice: async (): Promise<void> => ctx.storage.remove(deviceKey),

    async verifyMfa(input: VerifyMfaInput): Promise<AuthTokens> {
      const totp = input.code !== undefined;
      return finish({
        mfa_ticket: input.ticket,
        method: totp ? 'totp' : 'recovery_code',
        code: totp ? input.code : input.recoveryCode,
        ...(input.rememberDevice ? { remember_device: true } : {}),
      });
    },

    async verifyMfaWithPasskey(input: { ticket: string; rememberDevice?: boolean }): Promise<AuthTokens> {
      supported();
      const optionsJSON = await send({
        method: 'POST',
        path: '/auth/mfa/webauthn/options',
        headers: {},
        json: { mfa_ticket: input.ticket },
      });
      const credential = await ctx.ceremonies.startAuthentication({ optionsJSON: optionsJSON as never });
      return finish({
        mfa_ticket: input.ticket,
        method: 'webauthn',
        credential,
        ...(input.rememberDevice ? { remember_device: true } : {}),
      });
    },

    async loginWithPasskey(): Promise<AuthTokens> {
      supported();
      const { t } = (await send({ method: 'GET', path: '/auth/get_t', headers: {} })) as { t: string };
      const optionsJSON = await send({ method: 'GET', path: `/auth/passkey/options?t=${encodeURIComponent(t)}`, headers: {} });
      const credential = await ctx.ceremonies.startAuthentication({ optionsJSON: optionsJSON as never });
      const previous = (await session.tokens())?.refreshToken ?? null;
      const data = await send({ method: 'POST', path: '/auth/passkey/login', headers: {}, json: { t, credential } });
      return store(readStandardPair(data), previous);
    },

    async registerPasskey(name: string): Promise<{ id: string }> {
      supported();
      const optionsJSON = await call('POST', '/auth/webauthn/register/options');
      const credential = await ctx.ceremonies.startRegistration({ optionsJSON: optionsJSON as never });
      return (await call('POST', '/auth/webauthn/register', { credential, name })) as { id: string };
    },

    async passkeys(): Promise<PasskeyInfo[]> {
      const rows = (await call('GET', '/auth/webauthn/credentials')) as Array<{
        id: string;
        name: string;
        backed_up: boolean;
        created_at: number;
        last_used_at: number | null;
      }>;
      return rows.map((r) => ({ id: r.id, name: r.name, backedUp: r.backed_up, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
    },

    async removePasskey(id: string): Promise<void> {
      await call('DELETE', `/auth/webauthn/credentials/${encodeURIComponent(id)}`);
    },

    async reauth(input: ReauthInput): Promise<AuthTokens> {
      supported();
      const body =
        'password' in input
          ? { password: input.password }
          : 'code' in input
            ? { method: 'totp', code: input.code }
            : { method: 'recovery_code', code: input.recoveryCode };
      const data = await call('POST', '/auth/reauth', body);
      // The reauth consumed the refresh token the call carried (possibly refreshed on the way), as a company switch does.
      return store(readStandardPair(data), (await session.tokens())?.refreshToken ?? null);
    },

    async mfaStatus(): Promise<MfaStatus> {
      const d = (await call('GET', '/auth/mfa')) as {
        totp: boolean;
        passkeys: number;
        recovery_codes_left: number;
        remembered_devices: number;
        methods: MfaMethod[];
      };
      return {
        totp: d.totp,
        passkeys: d.passkeys,
        recoveryCodesLeft: d.recovery_codes_left,
        rememberedDevices: d.remembered_devices,
        methods: d.methods,
      };
    },

    async setupTotp(options: { ticket?: string } = {}): Promise<TotpSetup> {
      const request = { method: 'POST', path: '/auth/mfa/totp/setup', headers: enrollHeaders(options.ticket) };
      const d = (options.ticket ? await send(request) : await call('POST', request.path)) as {
        secret: string;
        otpauth_url: string;
        qr_svg: string;
      };
      return { secret: d.secret, otpauthUrl: d.otpauth_url, qrSvg: d.qr_svg };
    },

    /** Confirms TOTP; answers the 10 recovery codes, shown once. */
    async enableTotp(code: string, options: { ticket?: string } = {}): Promise<string[]> {
      const path = '/auth/mfa/totp/enable';
      const d = (
        options.ticket
          ? await send({ method: 'POST', path, headers: enrollHeaders(options.ticket), json: { code } })
          : await call('POST', path, { code })
      ) as { recovery_codes: string[] };
      return d.recovery_codes;
    },

    async disableTotp(): Promise<void> {
      await call('DELETE', '/auth/mfa/totp');
    },

    /** A new set of recovery codes; the old set is void. */
    async regenerateRecoveryCodes(): Promise<string[]> {
      return ((await call('POST', '/auth/mfa/recovery-codes')) as { recovery_codes: string[] }).recovery_codes;
    },

    /** Forgets every remembered device of mine on the server (and this client's token). */
    async forgetDevices(): Promise<number> {
      const d = (await call('DELETE', '/auth/mfa/devices')) as { forgotten: number };
      await ctx.storage.remove(deviceKey);
      return d.forgotten;
    },
  };
}

/** The MFA operations, as they appear on the client. */
export type MfaOperations = ReturnType<typeof createMfaOperations>;

/** `login()`'s refusal as a result: the second step, or the error rethrown. */
export function secondStepOrThrow(error: unknown): LoginResult {
  const step = readSecondStep(error);
  if (step) return step;
  throw error;
}
