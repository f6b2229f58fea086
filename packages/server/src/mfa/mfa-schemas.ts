import { Type } from 'typebox';
import { MmmTokenPair } from '../dialects/mmm/mmm-schemas.js';
import { TokenPair } from '../dialects/standard/standard-schemas.js';

/** The pair of a finished second step, in its login's dialect, with the remembered device's token when asked for. */
export const MfaTokenPair = Type.Union([
  Type.Object({ ...TokenPair.properties, device_token: Type.Optional(Type.String()) }),
  Type.Object({ ...MmmTokenPair.properties, device_token: Type.Optional(Type.String()) }),
]);

/** `POST /auth/reauth`: the password, or a TOTP or recovery code. */
export const ReauthBody = Type.Union([
  Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }),
  Type.Object({
    method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')]),
    code: Type.String({ minLength: 1, maxLength: 64 }),
  }),
]);

/** `POST /auth/mfa/verify` (SPEC §9). */
export const MfaVerifyBody = Type.Object({
  mfa_ticket: Type.String({ minLength: 1, maxLength: 128 }),
  method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('webauthn')]),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  credential: Type.Optional(Type.Object({}, { additionalProperties: true })),
  remember_device: Type.Optional(Type.Boolean()),
});

/** `GET /auth/mfa`: the caller's factors, never a secret. */
export const MfaStatusData = Type.Object({
  totp: Type.Boolean(),
  passkeys: Type.Integer(),
  recovery_codes_left: Type.Integer(),
  remembered_devices: Type.Integer(),
  methods: Type.Array(Type.String()),
});

export const TotpSetupData = Type.Object({ secret: Type.String(), otpauth_url: Type.String(), qr_svg: Type.String() });

export const TotpEnableBody = Type.Object({ code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) });

export const RecoveryCodesData = Type.Object({ recovery_codes: Type.Array(Type.String()) });
