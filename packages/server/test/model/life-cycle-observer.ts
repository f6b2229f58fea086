import { sql } from 'kysely';
import type { Services } from '../../src/services.js';
import { refreshTokenStateOf, type RefreshTokenState } from '../../src/store/refresh-verdict.js';
import type { RefreshTokenRow } from '../../src/store/refresh-tokens-repo.js';
import type { SessionRow } from '../../src/store/sessions-repo.js';
import {
  REFRESH_STEPS,
  SESSION_TRANSITIONS,
  sessionStateOf,
  TOKEN_TRANSITIONS,
  type LifeCycleCause,
  type RefreshStep,
  type SessionAdmission,
  type SessionState,
  type Transition,
} from '../../src/sessions/session-states.js';
import type { ModelState } from './session-model.js';

/** The rows of one run's sessions and tokens, and their audit events, read after a step. */
export interface Snapshot {
  /** The FakeClock. */
  nowMs: number;
  /** The clock the grace window is measured on (the database's on PostgreSQL). */
  consumingNowMs: number;
  sessions: Map<string, SessionRow>;
  /** By jti. */
  tokens: Map<string, RefreshTokenRow>;
  /** The reasons of the `session.revoked` events naming each session. */
  revokedEvents: Map<string, string[]>;
  /** How many `refresh.reuse_detected` events name each session. */
  reuseEvents: Map<string, number>;
}

/** Reads the rows of `sessionIds` (all of one run's). */
export async function snapshot(services: Services, sessionIds: readonly string[], sinceMs: number): Promise<Snapshot> {
  const { store, clock } = services;
  const db = store.opened.db;
  const nowMs = clock.now();
  const consumingNowMs = store.opened.traits.databaseClock
    ? Number(
        (await sql<{ now: string }>`select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as now`.execute(db)).rows[0]!.now,
      )
    : nowMs;
  const ids = sessionIds.length ? [...sessionIds] : [''];
  const [sessionRows, tokenRows, revoked, reused] = await Promise.all([
    db.selectFrom('sessions').selectAll().where('id', 'in', ids).execute(),
    db.selectFrom('refresh_tokens').selectAll().where('session_id', 'in', ids).execute(),
    store.queryAuditEvents({ type: 'session.revoked', since: sinceMs, limit: 10_000 }),
    store.queryAuditEvents({ type: 'refresh.reuse_detected', since: sinceMs, limit: 10_000 }),
  ]);
  const revokedEvents = new Map<string, string[]>();
  for (const e of revoked) {
    const details = JSON.parse(e.details) as { sessions: string[]; reason: string };
    for (const sid of details.sessions) revokedEvents.set(sid, [...(revokedEvents.get(sid) ?? []), details.reason]);
  }
  const reuseEvents = new Map<string, number>();
  for (const e of reused) if (e.session_id) reuseEvents.set(e.session_id, (reuseEvents.get(e.session_id) ?? 0) + 1);
  return {
    nowMs,
    consumingNowMs,
    sessions: new Map(sessionRows.map((r) => [r.id, r])),
    tokens: new Map(tokenRows.map((r) => [r.jti, r])),
    revokedEvents,
    reuseEvents,
  };
}

/** The state of a token row, judged as the store judges it (`refreshTokenStateOf`), at the snapshot's time. */
export function tokenState(snap: Snapshot, jti: string, graceMs: number): RefreshTokenState {
  const row = snap.tokens.get(jti);
  if (!row) return 'expired';
  const successor = row.successor_jti ? snap.tokens.get(row.successor_jti) : undefined;
  return refreshTokenStateOf(
    {
      session_id: row.session_id,
      expires_at: Number(row.expires_at),
      consumed_at: row.consumed_at === null ? null : Number(row.consumed_at),
      successor_jti: row.successor_jti,
      elapsed_ms: row.consumed_at === null ? null : snap.consumingNowMs - Number(row.consumed_at),
      successor_expires_at: successor ? Number(successor.expires_at) : null,
      successor_consumed_at: successor?.consumed_at == null ? null : Number(successor.consumed_at),
    },
    snap.nowMs,
    graceMs,
  );
}

export function sessionState(snap: Snapshot, sid: string, idleMs: number): SessionState | 'none' {
  const row = snap.sessions.get(sid);
  return row ? sessionStateOf(row, snap.nowMs, idleMs) : 'none';
}

/** What happened in one step, as far as the checks need it. */
export interface StepRecord {
  causes: ReadonlySet<LifeCycleCause>;
  /** Several operations ran at once (`Promise.all`). */
  concurrent: boolean;
  refreshes: Array<{ token: string; jti: string; answer: { ok: true; token: string } | { ok: false; code: string } }>;
}

/** Which declared transitions and `REFRESH_STEPS` cells the runs have taken (the table's coverage). */
export class Coverage {
  readonly seen = new Set<string>();

  static sessionKey(t: Transition<SessionState>): string {
    return `session ${t.from} -> ${t.to} (${t.cause})`;
  }
  static tokenKey(t: Transition<RefreshTokenState>): string {
    return `token ${t.from} -> ${t.to} (${t.cause})`;
  }
  static cellKey(token: RefreshTokenState, session: SessionAdmission): string {
    return `refresh ${token} / ${session} -> ${REFRESH_STEPS[token][session]}`;
  }

  /** Marks the declared transition `from` -> `to` seen, when exactly one of the step's causes declares it. */
  seeOne<S extends string>(
    table: readonly Transition<S>[],
    from: S | 'none',
    to: S,
    causes: ReadonlySet<LifeCycleCause>,
    key: (t: Transition<S>) => string,
  ): void {
    const matching = table.filter((t) => t.from === from && t.to === to && causes.has(t.cause));
    if (matching.length === 1) this.seen.add(key(matching[0]!));
  }

  /** Every declared transition and cell not seen yet. */
  missing(): string[] {
    const declared = [
      ...SESSION_TRANSITIONS.map(Coverage.sessionKey),
      ...TOKEN_TRANSITIONS.map(Coverage.tokenKey),
      ...Object.entries(REFRESH_STEPS).flatMap(([token, row]) =>
        Object.keys(row).map((session) => Coverage.cellKey(token as RefreshTokenState, session as SessionAdmission)),
      ),
    ];
    return declared.filter((k) => !this.seen.has(k));
  }
}

/** The shortest chains of declared transitions, with causes of the step, that lead `from` to `to`; [] when none. */
function declaredPath<S extends string>(
  table: readonly Transition<S>[],
  from: S | 'none',
  to: S,
  causes: ReadonlySet<LifeCycleCause>,
  maxHops: number,
): Transition<S>[] {
  let frontier: Array<{ at: S | 'none'; path: Transition<S>[] }> = [{ at: from, path: [] }];
  for (let hop = 0; hop < maxHops; hop++) {
    const next: typeof frontier = [];
    for (const { at, path } of frontier)
      for (const t of table)
        if (t.from === at && causes.has(t.cause)) {
          if (t.to === to) return [...path, t];
          next.push({ at: t.to, path: [...path, t] });
        }
    frontier = next;
  }
  return [];
}

/** Where the rows and the model differ (none: they agree). */
export function disagreements(model: ModelState, after: Snapshot, jtiOf: (token: string) => string): string[] {
  const found: string[] = [];
  for (const s of model.sessions) {
    const row = after.sessions.get(s.id);
    if (!row) {
      found.push(`session ${s.id} of the model has no row`);
      continue;
    }
    if ((row.revoke_reason ?? null) !== s.revoked)
      found.push(`session ${s.id}: revoked ${row.revoke_reason} in the rows, ${s.revoked} in the model`);
    if (row.version !== s.version) found.push(`session ${s.id}: version ${row.version} in the rows, ${s.version} in the model`);
    if (row.company_id !== s.companyId) found.push(`session ${s.id}: company ${row.company_id} in the rows, ${s.companyId} in the model`);
    if (Number(row.last_used_at) !== s.lastUsedAtMs)
      found.push(`session ${s.id}: last used ${row.last_used_at} in the rows, ${s.lastUsedAtMs} in the model`);
  }
  const modelJtis = new Set(model.tokens.map((t) => jtiOf(t.token)));
  for (const jti of after.tokens.keys()) if (!modelJtis.has(jti)) found.push(`refresh token ${jti} exists that the model never issued`);
  for (const t of model.tokens) {
    const row = after.tokens.get(jtiOf(t.token));
    if (!row) found.push(`refresh token ${jtiOf(t.token)} of the model has no row`);
    else if ((row.consumed_at !== null) !== (t.consumed !== null) || row.successor_jti !== (t.successor ? jtiOf(t.successor) : null))
      found.push(
        `refresh token ${row.jti}: consumed ${row.consumed_at !== null} → ${row.successor_jti} in the rows, ${t.consumed !== null} → ${t.successor && jtiOf(t.successor)} in the model`,
      );
  }
  return found;
}

class Violations {
  readonly found: string[] = [];
  add(text: string): void {
    this.found.push(text);
  }
  throwIfAny(): void {
    if (this.found.length) throw new Error(`session life cycle broken:\n  - ${this.found.join('\n  - ')}`);
  }
}

/**
 * Checks one step: the four invariants of issue #14 item 8, the agreement of
 * the rows with the model, and every change of state against the declared
 * table. Throws with every violation found.
 */
export function checkStep(input: {
  services: Services;
  model: ModelState;
  before: Snapshot;
  after: Snapshot;
  step: StepRecord;
  coverage: Coverage;
}): void {
  const { services, model, before, after, step, coverage } = input;
  const graceMs = model.limits.graceS * 1000;
  const idleMs = model.limits.idleTimeoutS * 1000;
  const jtiOf = (token: string) => services.codec.parse(token)!;
  const v = new Violations();

  // 1. Never two live successors of one token: one unconsumed token per family, and every answer is the recorded successor.
  for (const sid of after.sessions.keys()) {
    const unused = [...after.tokens.values()].filter(
      (t) => t.session_id === sid && t.consumed_at === null && Number(t.expires_at) > after.nowMs,
    );
    if (unused.length > 1) v.add(`session ${sid} has ${unused.length} unconsumed refresh tokens (two branches of one family)`);
  }
  for (const r of step.refreshes) {
    if (!r.answer.ok) continue;
    const row = after.tokens.get(r.jti);
    if (row?.successor_jti !== jtiOf(r.answer.token))
      v.add(`a refresh of ${r.jti} answered ${jtiOf(r.answer.token)}, not its recorded successor ${row?.successor_jti}`);
  }

  // 2. Nothing refreshes after its session is revoked.
  for (const r of step.refreshes) {
    const sid = before.tokens.get(r.jti)?.session_id;
    if (r.answer.ok && sid && before.sessions.get(sid)?.revoked_at !== null)
      v.add(`a refresh of ${r.jti} succeeded although its session ${sid} was revoked before the step`);
  }

  // 3. A replay outside "its own unconsumed successor, within the window" always revokes.
  for (const r of step.refreshes) {
    const row = before.tokens.get(r.jti);
    if (!row || row.consumed_at === null || Number(row.expires_at) <= before.nowMs) continue;
    const successor = row.successor_jti ? before.tokens.get(row.successor_jti) : undefined;
    const successorUsed = successor !== undefined && successor.consumed_at !== null;
    const pastWindow = !model.limits.realTimeGrace && before.nowMs - Number(row.consumed_at) > graceMs;
    if (!successorUsed && !pastWindow) continue;
    if (r.answer.ok) v.add(`a replay of ${r.jti} (successor used: ${successorUsed}, past the window: ${pastWindow}) was answered a token`);
    if (after.sessions.get(row.session_id)?.revoked_at === null) v.add(`a replay of ${r.jti} left its session ${row.session_id} alive`);
  }

  // 4. Every revocation has its audit event (one, with the row's reason) and its fence; re-versioned sessions refuse older tokens.
  for (const [sid, row] of after.sessions) {
    const events = after.revokedEvents.get(sid) ?? [];
    if (row.revoked_at !== null) {
      if (events.length !== 1 || events[0] !== row.revoke_reason)
        v.add(`session ${sid} was revoked (${row.revoke_reason}) with session.revoked events [${events.join(', ')}]`);
      if (services.fence.check(sid, row.version) !== 'revoked') v.add(`session ${sid} was revoked but the fence admits its tokens`);
    } else {
      if (events.length) v.add(`session ${sid} is not revoked but has session.revoked events [${events.join(', ')}]`);
      if (sessionStateOf(row, after.nowMs, idleMs) === 'live') {
        if (services.fence.check(sid, row.version) !== 'ok') v.add(`live session ${sid} (version ${row.version}) is refused by the fence`);
        if (row.version > 1 && services.fence.check(sid, row.version - 1) !== 'stale')
          v.add(`session ${sid} is at version ${row.version} but the fence admits version ${row.version - 1}`);
      }
    }
  }

  for (const text of disagreements(model, after, jtiOf)) v.add(text);

  // Every change of state is declared in the table.
  const hops = step.concurrent ? step.refreshes.length + 2 : 1;
  for (const sid of after.sessions.keys()) {
    const from = sessionState(before, sid, idleMs);
    const to = sessionState(after, sid, idleMs) as SessionState;
    const rebumped = (before.sessions.get(sid)?.version ?? 0) !== after.sessions.get(sid)!.version && from !== 'none';
    if (from === to && !rebumped) continue;
    const path = declaredPath(SESSION_TRANSITIONS, from, to, step.causes, hops);
    if (!path.length)
      v.add(
        `session ${sid} went ${from} -> ${to}${rebumped ? ' (re-versioned)' : ''}: no declared transition for causes [${[...step.causes].join(', ')}]`,
      );
    else if (!step.concurrent) coverage.seeOne(SESSION_TRANSITIONS, from, to, step.causes, Coverage.sessionKey);
  }
  const tokenCauses = new Set(step.causes);
  if (model.limits.realTimeGrace) tokenCauses.add('time'); // the database's clock runs during every step
  for (const jti of after.tokens.keys()) {
    const from = before.tokens.has(jti) ? tokenState(before, jti, graceMs) : 'none';
    const to = tokenState(after, jti, graceMs);
    if (from === to) continue;
    const path = declaredPath(TOKEN_TRANSITIONS, from, to, tokenCauses, hops);
    if (!path.length)
      v.add(`refresh token ${jti} went ${from} -> ${to}: no declared transition for causes [${[...tokenCauses].join(', ')}]`);
    else if (!step.concurrent) coverage.seeOne(TOKEN_TRANSITIONS, from, to, tokenCauses, Coverage.tokenKey);
  }

  // A refresh alone does what its REFRESH_STEPS cell says.
  if (!step.concurrent && step.refreshes.length === 1) {
    const r = step.refreshes[0]!;
    const row = before.tokens.get(r.jti)!;
    const state = tokenState(before, r.jti, graceMs);
    const sessionRow = before.sessions.get(row.session_id)!;
    const admission: SessionAdmission = sessionStateOf(sessionRow, before.nowMs, idleMs) === 'live' ? 'live' : 'ended';
    const reuseAudited = (after.reuseEvents.get(row.session_id) ?? 0) > (before.reuseEvents.get(row.session_id) ?? 0);
    const did: RefreshStep = r.answer.ok
      ? before.tokens.has(jtiOf(r.answer.token))
        ? 'answer-successor'
        : 'rotate'
      : reuseAudited
        ? 'revoke-session'
        : 'refuse';
    // On the database's clock a token seen in grace just before may be judged a moment later, past the window.
    const timingMayDiffer = model.limits.realTimeGrace && state === 'in-grace';
    if (did !== REFRESH_STEPS[state][admission] && !timingMayDiffer)
      v.add(`a refresh of a token ${state} in a session ${admission} did ${did}; REFRESH_STEPS says ${REFRESH_STEPS[state][admission]}`);
    else if (did === REFRESH_STEPS[state][admission]) coverage.seen.add(Coverage.cellKey(state, admission));
  }
  v.throwIfAny();
}
