import { Type } from 'typebox';
import { ErrorEnvelope } from '../dialects/standard/standard-schemas.js';

/** `:user` in admin paths: a numeric id or an account name. */
export const UserParams = Type.Object({ user: Type.String({ minLength: 1, maxLength: 128 }) });

export const UserSessionParams = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 128 }),
  id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const MembershipParams = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 128 }),
  companyId: Type.Integer({ minimum: 1 }),
});

export const UserListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

export const CreateUserBody = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  is_admin: Type.Optional(Type.Boolean()),
});

export const PasswordResetBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) });

export const MembershipBody = Type.Object({
  roles: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 }),
  is_default: Type.Optional(Type.Boolean()),
});

export const CreateCompanyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) });

export const AuditQuery = Type.Object({
  type: Type.Optional(Type.String({ maxLength: 64, description: 'event type, e.g. login.failure' })),
  user_id: Type.Optional(Type.Integer({ minimum: 1 })),
  session_id: Type.Optional(Type.String({ maxLength: 64 })),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'unix seconds, inclusive' })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: 'unix seconds, exclusive' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before_id: Type.Optional(Type.Integer({ minimum: 1, description: 'next page: the next_before_id of the previous answer' })),
});

export const UserData = Type.Object({
  id: Type.Integer(),
  account: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  is_admin: Type.Boolean(),
  created_at: Type.Integer({ description: 'unix seconds' }),
});

export const UserPage = Type.Object({ items: Type.Array(UserData), next_offset: Type.Union([Type.Integer(), Type.Null()]) });

export const UserDetailData = Type.Intersect([
  UserData,
  Type.Object({
    companies: Type.Array(
      Type.Object({ id: Type.Integer(), name: Type.String(), roles: Type.Array(Type.String()), is_default: Type.Boolean() }),
    ),
    lockout: Type.Object({
      failures: Type.Integer(),
      locked_until: Type.Union([Type.Integer({ description: 'unix seconds' }), Type.Null()]),
      admin_unlock_required: Type.Boolean(),
    }),
  }),
]);

export const CompanyData = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  created_at: Type.Integer({ description: 'unix seconds' }),
});

export const MembershipData = Type.Object({
  user_id: Type.Integer(),
  company_id: Type.Integer(),
  roles: Type.Array(Type.String()),
  is_default: Type.Boolean(),
});

export const AuditEventData = Type.Object({
  id: Type.Integer(),
  at: Type.Integer({ description: 'unix seconds' }),
  type: Type.String(),
  user_id: Type.Union([Type.Integer(), Type.Null()]),
  session_id: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditEventData),
  next_before_id: Type.Union([Type.Integer(), Type.Null()]),
});

/** Error answers of every admin route. */
export const adminErrors = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  409: ErrorEnvelope,
  503: ErrorEnvelope,
};
