import type { RevocationReason } from '../../src/sessions/session-states.js';

/**
 * A reference model of sessions and refresh tokens (SPEC §1, §2), written
 * from the spec and independent of the services: plain data, and one function
 * per operation that predicts the answer and the next state. The model test
 * runs the real services beside it and compares.
 */

/** Lifetimes the model and the services are configured with (seconds, as the settings take them). */
export interface ModelLimits {
  accessTtlS: number;
  refreshTtlS: number;
  sessionMaxAgeS: number;
  idleTimeoutS: number;
  graceS: number;
  /** Whether the grace window is measured on the database's clock (real time, PostgreSQL) or on the FakeClock (SQLite). */
  realTimeGrace: boolean;
}

/** When something happened: the FakeClock, and the real time bracketing the call that did it. */
export interface Stamp {
  fakeMs: number;
  realFromMs: number;
  realToMs: number;
}

export interface ModelUser {
  id: number;
  account: string;
  password: string;
}

export interface ModelSession {
  id: string;
  user: number;
  companyId: number | null;
  version: number;
  expiresAtMs: number;
  lastUsedAtMs: number;
  /** Why it was revoked; null while not revoked (it may still have expired or gone idle). */
  revoked: RevocationReason | null;
  /** When the newest access token the client holds for it expires: a client can call protected routes until then. */
  accessExpiresAtMs: number;
}

export interface ModelToken {
  token: string;
  session: string;
  issuedAtMs: number;
  expiresAtMs: number;
  consumed: Stamp | null;
  /** The token string of its successor, once consumed. */
  successor: string | null;
}

export interface ModelState {
  limits: ModelLimits;
  nowMs: number;
  users: ModelUser[];
  companies: number[];
  sessions: ModelSession[];
  /** Every token ever issued, in order: the replays pick from here. */
  tokens: ModelToken[];
}

/** What the real call answered. */
export type Observed = { ok: true; token?: string; sessionId?: string; companyId?: number | null } | { ok: false; code: string };

/** What the model expects: `fresh` is a token string never issued before. */
export type Expected = { ok: true; token?: string | 'fresh' } | { ok: false; code: string };

/** One possible outcome of an operation, and how it changes the model (applied to a copy). */
export interface Branch {
  expect: Expected;
  apply(m: ModelState, observed: Observed): void;
}

const nothing = () => {};

export function cloneModel(m: ModelState): ModelState {
  return structuredClone(m);
}

export function sessionOf(m: ModelState, id: string): ModelSession {
  const s = m.sessions.find((x) => x.id === id);
  if (!s) throw new Error(`model: unknown session ${id}`);
  return s;
}

export function tokenOf(m: ModelState, token: string): ModelToken | undefined {
  return m.tokens.find((t) => t.token === token);
}

/** Whether the session admits a refresh at the model's time: not revoked, not past its lifetime, not idle. */
export function admitsRefresh(m: ModelState, s: ModelSession): boolean {
  return (
    s.revoked === null && s.expiresAtMs > m.nowMs && !(m.limits.idleTimeoutS > 0 && m.nowMs - s.lastUsedAtMs > m.limits.idleTimeoutS * 1000)
  );
}

/** Whether a client still holds a usable access token of the session (what a protected route needs). */
export function holdsAccess(m: ModelState, s: ModelSession): boolean {
  return s.revoked === null && s.accessExpiresAtMs > m.nowMs;
}

/**
 * Whether a consumption at `consumed` is within the grace window for a
 * presentation during `call`: `yes`/`no`, or `either` when real-time
 * measurement cannot tell (PostgreSQL's clock, near the boundary).
 */
export function withinGrace(m: ModelState, consumed: Stamp, call: Stamp): 'yes' | 'no' | 'either' {
  const graceMs = m.limits.graceS * 1000;
  if (!m.limits.realTimeGrace) {
    const elapsed = call.fakeMs - consumed.fakeMs;
    return elapsed >= 0 && elapsed <= graceMs ? 'yes' : 'no';
  }
  // The database stamps the consumption and judges the replay somewhere inside each call; 25 ms for its rounding and scheduling.
  const longest = call.realToMs - consumed.realFromMs;
  const shortest = call.realFromMs - consumed.realToMs;
  if (longest <= graceMs - 25) return 'yes';
  if (shortest > graceMs + 25) return 'no';
  return 'either';
}

function issue(m: ModelState, s: ModelSession, token: string): void {
  const expiresAtMs = Math.min(m.nowMs + m.limits.refreshTtlS * 1000, s.expiresAtMs);
  m.tokens.push({ token, session: s.id, issuedAtMs: m.nowMs, expiresAtMs, consumed: null, successor: null });
}

function freshToken(observed: Observed): string {
  if (!observed.ok || !observed.token) throw new Error('model: a fresh token was expected');
  return observed.token;
}

const refused: Expected = { ok: false, code: 'REFRESH_TOKEN_INVALID' };

/** Presenting refresh token `token` (SPEC §2): rotation, grace, reuse or refusal. */
export function refresh(m: ModelState, token: string, call: Stamp): Branch[] {
  const t = tokenOf(m, token);
  if (!t) throw new Error('model: refresh of a token never issued');
  const session = sessionOf(m, t.session);
  if (t.expiresAtMs <= m.nowMs) return [{ expect: refused, apply: nothing }];
  if (t.consumed === null) {
    if (!admitsRefresh(m, session)) return [{ expect: refused, apply: nothing }];
    return [
      {
        expect: { ok: true, token: 'fresh' },
        apply(next, observed) {
          const s = sessionOf(next, session.id);
          const presented = tokenOf(next, token)!;
          const successor = freshToken(observed);
          presented.consumed = call;
          presented.successor = successor;
          s.lastUsedAtMs = next.nowMs;
          s.accessExpiresAtMs = next.nowMs + next.limits.accessTtlS * 1000;
          issue(next, s, successor);
        },
      },
    ];
  }
  const successor = tokenOf(m, t.successor!)!;
  const reuse: Branch = {
    expect: refused,
    apply(next) {
      const s = sessionOf(next, session.id);
      if (s.revoked === null) s.revoked = 'refresh_reuse';
    },
  };
  if (successor.consumed !== null) return [reuse];
  const inWindow = withinGrace(m, t.consumed, call);
  const grace: Branch =
    successor.expiresAtMs <= m.nowMs
      ? { expect: refused, apply: nothing }
      : admitsRefresh(m, session)
        ? {
            expect: { ok: true, token: successor.token },
            apply(next) {
              sessionOf(next, session.id).accessExpiresAtMs = next.nowMs + next.limits.accessTtlS * 1000;
            },
          }
        : { expect: refused, apply: nothing };
  if (inWindow === 'yes') return [grace];
  if (inWindow === 'no') return [reuse];
  return [grace, reuse];
}

/** A password login of user `user`: a new session in the user's default company with its first token. */
export function login(m: ModelState, user: number): Branch[] {
  return [
    {
      expect: { ok: true, token: 'fresh' },
      apply(next, observed) {
        if (!observed.ok || !observed.sessionId) throw new Error('model: a login answers a session');
        const s: ModelSession = {
          id: observed.sessionId,
          user,
          companyId: next.companies[0]!,
          version: 1,
          expiresAtMs: next.nowMs + next.limits.sessionMaxAgeS * 1000,
          lastUsedAtMs: next.nowMs,
          revoked: null,
          accessExpiresAtMs: next.nowMs + next.limits.accessTtlS * 1000,
        };
        next.sessions.push(s);
        issue(next, s, freshToken(observed));
      },
    },
  ];
}

function revokeWhere(m: ModelState, reason: RevocationReason, match: (s: ModelSession) => boolean): void {
  for (const s of m.sessions) if (s.revoked === null && match(s)) s.revoked = reason;
}

/** Logout of one session (revoked whatever its clock state, unless already revoked). */
export function logout(_m: ModelState, sessionId: string): Branch[] {
  return [{ expect: { ok: true }, apply: (next) => revokeWhere(next, 'logout', (s) => s.id === sessionId) }];
}

/** Logout of every session of the user. */
export function logoutAll(_m: ModelState, user: number): Branch[] {
  return [{ expect: { ok: true }, apply: (next) => revokeWhere(next, 'logout_all', (s) => s.user === user) }];
}

/** A password change from session `sessionId`: every other session of the user ends. */
export function changePassword(m: ModelState, sessionId: string, newPassword: string): Branch[] {
  const user = sessionOf(m, sessionId).user;
  return [
    {
      expect: { ok: true },
      apply(next) {
        next.users[user]!.password = newPassword;
        revokeWhere(next, 'password_changed', (s) => s.user === user && s.id !== sessionId);
      },
    },
  ];
}

/**
 * A company switch: the session's version goes up, its company changes, and
 * its newest unused token is consumed with the new token as successor (a rotation).
 */
export function switchCompany(m: ModelState, sessionId: string, companyId: number, call: Stamp): Branch[] {
  const session = sessionOf(m, sessionId);
  if (session.revoked !== null || session.expiresAtMs <= m.nowMs)
    return [{ expect: { ok: false, code: 'ACCESS_TOKEN_INVALID' }, apply: nothing }];
  return [
    {
      expect: { ok: true, token: 'fresh' },
      apply(next, observed) {
        const s = sessionOf(next, sessionId);
        const fresh = freshToken(observed);
        const live = next.tokens
          .filter((t) => t.session === sessionId && t.consumed === null && t.expiresAtMs > next.nowMs)
          .sort((a, b) => b.issuedAtMs - a.issuedAtMs)[0];
        if (live) {
          live.consumed = call;
          live.successor = fresh;
        }
        s.version += 1;
        s.companyId = companyId;
        s.lastUsedAtMs = next.nowMs;
        s.accessExpiresAtMs = next.nowMs + next.limits.accessTtlS * 1000;
        issue(next, s, fresh);
      },
    },
  ];
}

/** A role change of the user in `companyId`: their sessions there not revoked and not past their lifetime are re-versioned. */
export function changeRoles(_m: ModelState, user: number, companyId: number): Branch[] {
  return [
    {
      expect: { ok: true },
      apply(next) {
        for (const s of next.sessions)
          if (s.user === user && s.companyId === companyId && s.revoked === null && s.expiresAtMs > next.nowMs) s.version += 1;
      },
    },
  ];
}

/** Whether what the call answered is what the branch expects (a `fresh` token must be one never issued). */
export function answers(m: ModelState, expected: Expected, observed: Observed): boolean {
  if (expected.ok !== observed.ok) return false;
  if (!expected.ok || !observed.ok) return !expected.ok && !observed.ok && expected.code === observed.code;
  if (expected.token === undefined) return true;
  if (expected.token === 'fresh') return observed.token !== undefined && tokenOf(m, observed.token) === undefined;
  return observed.token === expected.token;
}
