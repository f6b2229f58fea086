import type { RequestOptions } from '@duotoken/client';
import type {
  AdminAccess,
  AdminCompany,
  AdminSession,
  AdminUser,
  AuditPage,
  CompanyMember,
  Overview,
  Page,
  SigningKey,
  UserDetail,
  UserMfa,
  UserSession,
} from './admin-types.js';
import { client } from './console-client.js';

type Query = NonNullable<RequestOptions['query']>;

const get = <T>(path: string, query?: Query) => client.request<T>('GET', path, { query });
const send = <T>(method: string, path: string, json?: unknown) => client.request<T>(method, path, { json });
/** `:user` and other ids in paths. */
const seg = (value: string | number) => encodeURIComponent(String(value));

/** Filters of the users list (`GET /admin/users`). */
export interface UserQuery extends Query {
  search?: string;
  company_id?: number;
  status?: string;
  sort?: string;
  order?: string;
  limit?: number;
  offset?: number;
}

/** Filters of the sessions list (`GET /admin/sessions`). */
export interface SessionQuery extends Query {
  user?: string;
  company_id?: number;
  device_type?: string;
  ip?: string;
  limit?: number;
  offset?: number;
}

/** Filters of the audit trail (`GET /admin/audit`, `/admin/audit.csv`). */
export interface AuditQuery extends Query {
  actor?: number;
  subject?: number;
  type?: string;
  outcome?: string;
  since?: number;
  until?: number;
  limit?: number;
  before_id?: number;
}

/** Every admin call the console makes, one line each over the SDK's `request` (refresh, retry, 10024 → sign-in). */
export const adminApi = {
  whoami: () => get<AdminAccess>('/admin/whoami'),
  overview: () => get<Overview>('/admin/overview'),

  users: (query: UserQuery) => get<Page<AdminUser>>('/admin/users', query),
  user: (user: string | number) => get<UserDetail>(`/admin/users/${seg(user)}`),
  createUser: (body: { account: string; password: string; name?: string; is_admin?: boolean; company_id?: number; roles?: string[] }) =>
    send<AdminUser>('POST', '/admin/users', body),
  renameUser: (user: number, name: string) => send<AdminUser>('PATCH', `/admin/users/${seg(user)}`, { name }),
  setUserEnabled: (user: number, enabled: boolean) =>
    send<AdminUser>('POST', `/admin/users/${seg(user)}/${enabled ? 'enable' : 'disable'}`),
  resetPassword: (user: number, password: string) => send<null>('POST', `/admin/users/${seg(user)}/password`, { password }),
  unlock: (user: number) => send<null>('POST', `/admin/users/${seg(user)}/unlock`),
  userMfa: (user: number) => get<UserMfa>(`/admin/users/${seg(user)}/mfa`),
  resetMfa: (user: number) => send<null>('DELETE', `/admin/users/${seg(user)}/mfa`),
  userSessions: (user: number) => get<UserSession[]>(`/admin/users/${seg(user)}/sessions`),
  revokeUserSession: (user: number, id: string) => send<null>('DELETE', `/admin/users/${seg(user)}/sessions/${seg(id)}`),
  revokeUserSessions: (user: number) => send<{ revoked: number }>('DELETE', `/admin/users/${seg(user)}/sessions`),
  setMembership: (user: number, companyId: number, roles: string[], isDefault: boolean) =>
    send<unknown>('PUT', `/admin/users/${seg(user)}/memberships/${seg(companyId)}`, { roles, is_default: isDefault }),
  removeMembership: (user: number, companyId: number) => send<null>('DELETE', `/admin/users/${seg(user)}/memberships/${seg(companyId)}`),

  companies: (query: { search?: string; status?: string; limit?: number; offset?: number }) =>
    get<Page<AdminCompany>>('/admin/companies', query),
  company: (id: number) => get<AdminCompany>(`/admin/companies/${seg(id)}`),
  createCompany: (name: string) => send<AdminCompany>('POST', '/admin/companies', { name }),
  updateCompany: (id: number, patch: { name?: string; status?: string }) =>
    send<AdminCompany>('PATCH', `/admin/companies/${seg(id)}`, patch),
  members: (id: number, query: { limit?: number; offset?: number }) =>
    get<Page<CompanyMember>>(`/admin/companies/${seg(id)}/members`, query),

  sessions: (query: SessionQuery) => get<Page<AdminSession>>('/admin/sessions', query),
  revokeSession: (id: string) => send<null>('DELETE', `/admin/sessions/${seg(id)}`),
  revokeSessions: (ids: string[]) => send<{ revoked: string[] }>('POST', '/admin/sessions/revoke', { ids }),

  audit: (query: AuditQuery) => get<AuditPage>('/admin/audit', query),
  keys: () => get<SigningKey[]>('/admin/keys'),
  rotateKeys: () => send<SigningKey>('POST', '/admin/keys/rotate'),
};
