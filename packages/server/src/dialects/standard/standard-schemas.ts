import { Type } from 'typebox';
import { ErrorEnvelope } from '../../http/envelope.js';

export const TokenPair = Type.Object({
  token_type: Type.Literal('Bearer'),
  access_token: Type.String(),
  expires_in: Type.Integer({ description: 'seconds from now' }),
  expires_at: Type.Integer({ description: 'unix seconds' }),
  refresh_token: Type.String(),
  refresh_expires_in: Type.Integer(),
  refresh_expires_at: Type.Integer(),
});

export const ChallengeData = Type.Object({
  t: Type.String(),
  expires_in: Type.Integer(),
  captcha_required: Type.Boolean(),
  captcha_url: Type.String(),
});

export const LoginBody = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  t: Type.Optional(Type.String({ maxLength: 64 })),
  captcha: Type.Optional(Type.String({ maxLength: 16 })),
  company_id: Type.Optional(Type.Integer({ minimum: 1 })),
  device_type: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })),
  /** A remembered device's token (SPEC §9). */
  device_token: Type.Optional(Type.String({ maxLength: 256 })),
});

// Long enough for an access token sent by mistake (with amr and auth_time it passes 512), so that it answers 10024, not 10001.
export const RefreshBody = Type.Union([Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 2048 })) }), Type.Null()]);

export const CompanyBody = Type.Object({ company_id: Type.Integer({ minimum: 1 }) });

export const PasswordBody = Type.Object({
  old_password: Type.String({ minLength: 1, maxLength: 1024 }),
  new_password: Type.String({ minLength: 1, maxLength: 1024 }),
});

const Company = Type.Object({ id: Type.Integer(), name: Type.String(), roles: Type.Array(Type.String()) });

export const MeData = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    account: Type.String(),
    name: Type.String(),
    status: Type.String(),
    is_admin: Type.Boolean(),
  }),
  company: Type.Union([Company, Type.Null()]),
  companies: Type.Array(Company),
  session: Type.Object({ id: Type.String(), expires_at: Type.Integer() }),
});

export const SessionData = Type.Object({
  id: Type.String(),
  created_at: Type.Integer(),
  last_used_at: Type.Integer(),
  expires_at: Type.Integer(),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  device: Type.Union([Type.String(), Type.Null()], { description: 'readable device, e.g. "Chrome 156 on Linux"' }),
  device_type: Type.Union([Type.String(), Type.Null()]),
  company_id: Type.Union([Type.Integer(), Type.Null()]),
  current: Type.Boolean(),
});

export const VerifyData = Type.Object({
  user_id: Type.Integer(),
  company_id: Type.Union([Type.Integer(), Type.Null()]),
  session_id: Type.String(),
  roles: Type.Array(Type.String()),
  amr: Type.Array(Type.String(), { description: 'RFC 8176 methods of the last interactive authentication' }),
  auth_time: Type.Union([Type.Integer(), Type.Null()], { description: 'unix seconds of that authentication' }),
});

/** Error answers a protected route can give. */
export const protectedErrors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 503: ErrorEnvelope };

/** OpenAPI security of protected routes. */
export const bearer: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { accessTokenHeader: [] }, { accessTokenQuery: [] }];
