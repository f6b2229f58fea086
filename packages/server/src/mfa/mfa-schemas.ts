import { Type } from 'typebox';

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
  methods: Type.Array(Type.String()),
});

export const TotpSetupData = Type.Object({ secret: Type.String(), otpauth_url: Type.String(), qr_svg: Type.String() });

export const TotpEnableBody = Type.Object({ code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) });

export const RecoveryCodesData = Type.Object({ recovery_codes: Type.Array(Type.String()) });
