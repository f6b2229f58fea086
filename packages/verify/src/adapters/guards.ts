import type { AuthInfo } from '../auth-info.js';
import type { ErrorShape } from '@duotoken/protocol';
import { VerifyError } from '../verify-error.js';

/** Options shared by the framework adapters. */
export interface AdapterOptions {
  /** Shape of error answers: the wire dialect whose errors the clients read. Default `standard` (`{ code, msg, data }`). */
  dialect?: ErrorShape;
}

/** A check run on an authenticated caller; throws a FORBIDDEN VerifyError to refuse. */
export type AuthCheck = (auth: AuthInfo) => void;

/** Passes when the caller holds at least one of `roles` in the current company. */
export function roleCheck(roles: string[]): AuthCheck {
  if (roles.length === 0) throw new TypeError('requireRole: name at least one role');
  return (auth) => {
    if (!roles.some((r) => auth.roles.includes(r))) throw new VerifyError('forbidden');
  };
}

/** Passes when the caller's token is bound to a company (to `companyId`, when given). */
export function companyCheck(companyId?: number): AuthCheck {
  return (auth) => {
    if (auth.companyId === null || (companyId !== undefined && auth.companyId !== companyId)) throw new VerifyError('forbidden');
  };
}
