import { Type, type TSchema } from 'typebox';
import { ErrorEnvelope } from '../http/envelope.js';

const unixSeconds = (description = 'unix seconds') => Type.Integer({ description });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
const UserRef = Type.String({ minLength: 1, maxLength: 128, description: 'a user id or an account name' });

/** `limit` (1-200, default 50) and `offset` of every paginated listing. */
const paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};

/** `{ items, total, next_offset }`: `next_offset` is null on the last page. */
const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer({ description: 'items matching the filters, over every page' }),
    next_offset: nullable(Type.Integer({ description: 'offset of the next page; null on the last' })),
  });

/** `:user` in admin paths: a numeric id or an account name. */
export const UserParams = Type.Object({ user: UserRef });

export const UserSessionParams = Type.Object({ user: UserRef, id: Type.String({ minLength: 1, maxLength: 64 }) });

export const MembershipParams = Type.Object({ user: UserRef, companyId: Type.Integer({ minimum: 1 }) });

export const CompanyParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const UserListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 128, description: 'substring of the account or the name' })),
  company_id: Type.Optional(Type.Integer({ minimum: 1, description: 'only members of this company' })),
  status: Type.Optional(Status),
  sort: Type.Optional(
    Type.Union([Type.Literal('id'), Type.Literal('account'), Type.Literal('name'), Type.Literal('created_at')], { default: 'id' }),
  ),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
  ...paging,
});

export const Roles = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N}:._-]+$' }), { maxItems: 64 });

export const CreateUserBody = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  is_admin: Type.Optional(Type.Boolean({ description: 'platform administrator (platform admins only)' })),
  company_id: Type.Optional(
    Type.Integer({ minimum: 1, description: 'make the user a member of this company (required for company admins)' }),
  ),
  roles: Type.Optional(Roles),
});

export const UpdateUserBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) });

export const PasswordResetBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) });

export const MembershipBody = Type.Object({ roles: Roles, is_default: Type.Optional(Type.Boolean()) });

export const CreateCompanyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }) });

export const UpdateCompanyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')], { description: 'platform admins only' })),
  },
  { minProperties: 1 },
);

export const CompanyListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 128, description: 'substring of the name' })),
  status: Type.Optional(Status),
  ...paging,
});

export const PagingQuery = Type.Object(paging);

export const SessionListQuery = Type.Object({
  user: Type.Optional(UserRef),
  company_id: Type.Optional(Type.Integer({ minimum: 1 })),
  device_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'exact address' })),
  ...paging,
});

export const BulkRevokeBody = Type.Object({
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }),
});

const auditFilters = {
  type: Type.Optional(
    Type.String({ maxLength: 64, description: 'event type, exact (login.failure) or a prefix ending in a dot (login.)' }),
  ),
  actor: Type.Optional(Type.Integer({ minimum: 1, description: 'id of the user who acted' })),
  subject: Type.Optional(Type.Integer({ minimum: 1, description: 'id of the user acted upon' })),
  user_id: Type.Optional(Type.Integer({ minimum: 1, description: 'same as actor (kept for older callers)' })),
  session_id: Type.Optional(Type.String({ maxLength: 64 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'unix seconds, inclusive' })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: 'unix seconds, exclusive' })),
  before_id: Type.Optional(Type.Integer({ minimum: 1, description: 'only events older than this id (next page: next_before_id)' })),
};

export const AuditQuery = Type.Object({ ...auditFilters, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) });

export const AuditCsvQuery = Type.Object(auditFilters);

export const UserData = Type.Object({
  id: Type.Integer(),
  account: Type.String(),
  name: Type.String(),
  status: Status,
  is_admin: Type.Boolean(),
  created_at: unixSeconds(),
});

export const UserPage = pageOf(UserData);

export const UserDetailData = Type.Intersect([
  UserData,
  Type.Object({
    companies: Type.Array(
      Type.Object({ id: Type.Integer(), name: Type.String(), roles: Type.Array(Type.String()), is_default: Type.Boolean() }),
      { description: "the user's memberships (a company admin sees those in their companies only)" },
    ),
    lockout: Type.Object({
      failures: Type.Integer(),
      locked_until: nullable(unixSeconds()),
      admin_unlock_required: Type.Boolean(),
    }),
  }),
]);

export const CompanyData = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Status,
  created_at: unixSeconds(),
  members: Type.Integer({ description: 'number of members' }),
});

export const CompanyPage = pageOf(CompanyData);

export const MemberPage = pageOf(
  Type.Object({
    user: Type.Object({ id: Type.Integer(), account: Type.String(), name: Type.String(), status: Status }),
    roles: Type.Array(Type.String()),
    is_default: Type.Boolean(),
  }),
);

export const MembershipData = Type.Object({
  user_id: Type.Integer(),
  company_id: Type.Integer(),
  roles: Type.Array(Type.String()),
  is_default: Type.Boolean(),
});

export const AdminSessionPage = pageOf(
  Type.Object({
    id: Type.String(),
    user: Type.Object({ id: Type.Integer(), account: Type.String(), name: Type.String() }),
    company_id: nullable(Type.Integer()),
    device_type: nullable(Type.String()),
    ip: nullable(Type.String()),
    user_agent: nullable(Type.String()),
    device: nullable(Type.String({ description: 'readable device, e.g. "Chrome 156 on Linux"' })),
    created_at: unixSeconds(),
    last_used_at: unixSeconds(),
    expires_at: unixSeconds(),
  }),
);

export const RevokedData = Type.Object({ revoked: Type.Array(Type.String(), { description: 'ids of the sessions revoked' }) });

export const AuditEventData = Type.Object({
  id: Type.Integer(),
  at: unixSeconds(),
  type: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  actor_id: nullable(Type.Integer({ description: 'the user who acted' })),
  subject_id: nullable(Type.Integer({ description: 'the user acted upon' })),
  user_id: nullable(Type.Integer({ description: 'same as actor_id' })),
  session_id: nullable(Type.String()),
  ip: nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditEventData),
  next_before_id: nullable(Type.Integer({ description: 'before_id of the next page; null on the last' })),
});

export const KeyData = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  state: Type.Union([Type.Literal('active'), Type.Literal('published'), Type.Literal('retired')], {
    description: 'active: signs new tokens; published: retired, still verifies the tokens it signed; retired: no longer accepted',
  }),
  created_at: nullable(unixSeconds('unix seconds; null for the HS256 shared secret')),
  retired_at: nullable(unixSeconds()),
  age_seconds: nullable(Type.Integer()),
});

export const OverviewData = Type.Object({
  version: Type.String(),
  store: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  redis: Type.Object({ configured: Type.Boolean(), connected: Type.Boolean() }),
  revocation_feed: Type.Object({
    state: Type.Union([Type.Literal('live'), Type.Literal('suspended')]),
    reason: nullable(Type.String()),
    lag_ms: nullable(
      Type.Integer({
        description:
          'ms since this instance was last in step with revocations made elsewhere (the store poll, and the Redis feed when configured); null before the first read',
      }),
    ),
  }),
  active_sessions: Type.Integer(),
  logins_last_hour: Type.Object({ success: Type.Integer(), failure: Type.Integer() }),
  lockouts_in_force: Type.Integer(),
});

export const WhoamiData = Type.Object({
  platform_admin: Type.Boolean(),
  company_admin_of: Type.Array(Type.Integer(), { description: "ids of the active companies where the caller has the role 'admin'" }),
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
