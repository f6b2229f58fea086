import fc from 'fast-check';
import { isAuthError } from '../../src/errors/auth-error.js';
import { challengeRuleFor } from '../../src/auth/login-service.js';
import type { Services } from '../../src/services.js';
import type { LifeCycleCause } from '../../src/sessions/session-states.js';
import type { FakeClock } from '@duotoken/test-kit/fake-clock';
import { checkStep, disagreements, snapshot, type Coverage, type Snapshot, type StepRecord } from './life-cycle-observer.js';
import * as model from './session-model.js';
import type { Branch, ModelState, Observed, Stamp } from './session-model.js';

/** The system under test: the real services of one store, and what the checks accumulate. */
export interface Real {
  services: Services;
  clock: FakeClock;
  coverage: Coverage;
  /** FakeClock ms at which this run began (its audit events are at or after it). */
  runStartMs: number;
}

const client = { ip: '203.0.113.9', userAgent: 'session model' };
const CLI = { userId: null, ip: null };

/** One call to the services, resolved against the model at the moment it runs. */
interface Op {
  label: string;
  causes: LifeCycleCause[];
  /** The token presented, for a refresh. */
  presents?: string;
  exec(real: Real): Promise<Observed>;
  predict(m: ModelState, call: Stamp): Branch[];
}

/** What a service answered: the pair's refresh token and session when it issued one, or the error's code. */
async function observe(call: () => Promise<unknown>): Promise<Observed> {
  try {
    const answer = (await call()) as { refreshToken?: string; sessionId?: string; companyId?: number | null } | undefined;
    return { ok: true, token: answer?.refreshToken, sessionId: answer?.sessionId, companyId: answer?.companyId };
  } catch (error) {
    return { ok: false, code: isAuthError(error) ? error.code : `UNEXPECTED ${(error as Error).message}` };
  }
}

const short = (text: string) => text.slice(0, 6);

/** What an operation names: an index into a list the model holds when it runs (taken modulo its length). */
type OpSpec =
  /** From the tokens never consumed (what honest clients hold), of the sessions not revoked (replays that matter), or all. */
  | { op: 'refresh'; token: number; from: 'held' | 'live-sessions' | 'all' }
  | { op: 'logout'; session: number }
  | { op: 'logout-all'; user: number }
  | { op: 'change-password'; session: number }
  | { op: 'switch-company'; session: number; company: number }
  | { op: 'change-roles'; user: number; company: number }
  | { op: 'login'; user: number };

/** Sessions a client can still call protected routes with (logout, password change and company switch need an access token). */
function withAccess(m: ModelState): model.ModelSession[] {
  return m.sessions.filter((s) => model.holdsAccess(m, s));
}

function pick<T>(list: readonly T[], index: number): T | undefined {
  return list.length ? list[index % list.length] : undefined;
}

/** The operation `spec` names in the model's current state; undefined when there is nothing to name. */
function resolve(m: ModelState, spec: OpSpec): Op | undefined {
  switch (spec.op) {
    case 'refresh': {
      const revoked = new Set(m.sessions.filter((x) => x.revoked !== null).map((x) => x.id));
      const candidates =
        spec.from === 'held'
          ? m.tokens.filter((t) => t.consumed === null)
          : spec.from === 'live-sessions'
            ? m.tokens.filter((t) => !revoked.has(t.session))
            : m.tokens;
      const token = pick(candidates, spec.token)?.token;
      if (!token) return undefined;
      return {
        label: `${spec.from === 'held' ? 'refresh' : 'replay'}(#${m.tokens.findIndex((t) => t.token === token)})`,
        causes: ['present', 'successor-consumed', 'reuse'],
        presents: token,
        exec: ({ services }) => observe(() => services.refresh.refresh(token, { client })),
        predict: (state, call) => model.refresh(state, token, call),
      };
    }
    case 'logout': {
      const s = pick(withAccess(m), spec.session);
      if (!s) return undefined;
      return {
        label: `logout(${short(s.id)})`,
        causes: ['revoke'],
        exec: ({ services }) => observe(() => services.sessions.logout(s.id, client, m.users[s.user]!.id)),
        predict: (state) => model.logout(state, s.id),
      };
    }
    case 'logout-all': {
      const s = withAccess(m).find((x) => x.user === spec.user % m.users.length);
      if (!s) return undefined;
      const user = m.users[s.user]!;
      return {
        label: `logoutAll(user ${s.user})`,
        causes: ['revoke'],
        exec: ({ services }) => observe(() => services.sessions.logoutAll(user.id, client)),
        predict: (state) => model.logoutAll(state, s.user),
      };
    }
    case 'change-password': {
      const s = pick(withAccess(m), spec.session);
      if (!s) return undefined;
      const user = m.users[s.user]!;
      const next = `${user.password.replace(/-\d+$/, '')}-${Number(/-(\d+)$/.exec(user.password)?.[1] ?? 0) + 1}`;
      return {
        label: `changePassword(${short(s.id)})`,
        causes: ['revoke'],
        exec: ({ services }) => observe(() => services.passwords.change(user.id, s.id, user.password, next, client)),
        predict: (state) => model.changePassword(state, s.id, next),
      };
    }
    case 'switch-company': {
      const s = pick(withAccess(m), spec.session);
      if (!s) return undefined;
      const companyId = m.companies[spec.company % m.companies.length]!;
      const principal = {
        userId: m.users[s.user]!.id,
        sessionId: s.id,
        companyId: s.companyId,
        roles: [],
        isAdmin: false,
        amr: ['pwd'],
        authTime: null,
        claims: {} as never,
      };
      return {
        label: `switchCompany(${short(s.id)}, ${companyId})`,
        causes: ['company-switch', 'successor-consumed'],
        exec: ({ services }) => observe(() => services.tenancy.changeCompany(principal, companyId, client)),
        predict: (state, call) => model.switchCompany(state, s.id, companyId, call),
      };
    }
    case 'change-roles': {
      const userIndex = spec.user % m.users.length;
      const companyIndex = spec.company % m.companies.length;
      const roles = spec.company % 2 ? ['staff'] : ['staff', 'auditor'];
      return {
        label: `changeRoles(user ${userIndex}, ${m.companies[companyIndex]})`,
        causes: ['version-bump'],
        exec: ({ services }) =>
          observe(() => services.admin.setMembership(m.users[userIndex]!.id, m.companies[companyIndex]!, roles, CLI, companyIndex === 0)),
        predict: (state) => model.changeRoles(state, userIndex, m.companies[companyIndex]!),
      };
    }
    case 'login': {
      const userIndex = spec.user % m.users.length;
      const user = m.users[userIndex]!;
      return {
        label: `login(user ${userIndex})`,
        causes: ['login'],
        exec: ({ services }) =>
          observe(() =>
            services.login.login({
              account: user.account,
              password: user.password,
              dialect: 'standard',
              challenge: challengeRuleFor('off'),
              client,
            }),
          ),
        predict: (state) => model.login(state, userIndex),
      };
    }
  }
}

/** Every model state that runs `ops`, in some order, to exactly the answers observed. */
function explanations(m: ModelState, ops: readonly Op[], observed: readonly Observed[], stamps: readonly Stamp[]): ModelState[] {
  const found: ModelState[] = [];
  const visit = (state: ModelState, remaining: number[]) => {
    if (!remaining.length) return void found.push(state);
    for (const i of remaining)
      for (const branch of ops[i]!.predict(state, stamps[i]!))
        if (model.answers(state, branch.expect, observed[i]!)) {
          const next = model.cloneModel(state);
          branch.apply(next, observed[i]!);
          visit(
            next,
            remaining.filter((j) => j !== i),
          );
        }
  };
  visit(m, [...ops.keys()]);
  return found;
}

/** Runs `ops` at once against the services, then checks them against the model and the rows. */
async function runStep(m: ModelState, real: Real, ops: Op[], extraCauses: LifeCycleCause[] = []): Promise<void> {
  const { services } = real;
  const jtiOf = (token: string) => services.codec.parse(token)!;
  const before = await snapshot(
    services,
    m.sessions.map((s) => s.id),
    real.runStartMs,
  );
  const stamps: Stamp[] = ops.map(() => ({ fakeMs: real.clock.now(), realFromMs: 0, realToMs: 0 }));
  const observed = await Promise.all(
    ops.map(async (op, i) => {
      stamps[i]!.realFromMs = Date.now();
      const answer = await op.exec(real);
      stamps[i]!.realToMs = Date.now();
      return answer;
    }),
  );
  const candidates = explanations(m, ops, observed, stamps);
  const described = ops.map((op, i) => `${op.label} → ${brief(observed[i]!)}`).join('; ');
  const ids = [...new Set([...m.sessions, ...candidates.flatMap((c) => c.sessions)].map((s) => s.id))];
  const after: Snapshot = await snapshot(services, ids, real.runStartMs);
  const chosen = candidates.find((c) => !disagreements(c, after, jtiOf).length) ?? candidates[0];
  const unexplained = chosen
    ? ''
    : `no order of them gives these answers in the model, which expected ${ops
        .map(
          (op, i) =>
            `${op.label} → ${op
              .predict(m, stamps[i]!)
              .map((b) => brief(b.expect))
              .join(' or ')}`,
        )
        .join('; ')}\n`;
  if (chosen) Object.assign(m, chosen);
  const step: StepRecord = {
    causes: new Set([...ops.flatMap((op) => op.causes), ...extraCauses]),
    concurrent: ops.length > 1,
    refreshes: ops.flatMap((op, i) => {
      const answer = observed[i]!;
      if (!op.presents) return [];
      return [{ token: op.presents, jti: jtiOf(op.presents), answer: answer.ok ? { ok: true as const, token: answer.token! } : answer }];
    }),
  };
  let broken = '';
  try {
    checkStep({ services, model: m, before, after, step, coverage: real.coverage });
  } catch (error) {
    broken = (error as Error).message;
  }
  if (unexplained || broken) throw new Error(`after [${described}]:\n${unexplained}${broken}`);
}

/** An answer or an expectation, short: `ok <token>`, `ok`, or the error code. */
function brief(answer: Observed | model.Expected): string {
  if (!answer.ok) return answer.code;
  if (answer.token === undefined) return 'ok';
  return `ok ${answer.token === 'fresh' ? 'a new token' : answer.token.slice(0, 8)}`;
}

/** Logs each user in once, through the checked steps: every run starts with sessions to act on. */
export async function loginEveryUser(m: ModelState, real: Real): Promise<void> {
  for (const user of m.users.keys()) await runStep(m, real, [resolve(m, { op: 'login', user })!]);
}

/** One operation, alone. */
class OneCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(private readonly spec: OpSpec) {}
  check(m: Readonly<ModelState>): boolean {
    if (this.spec.op === 'login' && m.sessions.length >= 6) return false;
    return resolve(m as ModelState, this.spec) !== undefined;
  }
  run(m: ModelState, real: Real): Promise<void> {
    return runStep(m, real, [resolve(m, this.spec)!]);
  }
  toString(): string {
    return JSON.stringify(this.spec);
  }
}

/** Two or three operations at once (`Promise.all`): refreshes and replays, logouts, a password change, a company switch. */
class ConcurrentCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(private readonly specs: OpSpec[]) {}
  check(m: Readonly<ModelState>): boolean {
    return this.specs.every((spec) => resolve(m as ModelState, spec) !== undefined);
  }
  run(m: ModelState, real: Real): Promise<void> {
    return runStep(
      m,
      real,
      this.specs.map((spec) => resolve(m, spec)!),
    );
  }
  toString(): string {
    return `concurrently(${this.specs.map((s) => JSON.stringify(s)).join(', ')})`;
  }
}

/** The clock moves (on PostgreSQL, whose clock judges the grace window, real time passes too when it crosses the window). */
class AdvanceCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(private readonly seconds: number) {}
  check(): boolean {
    return true;
  }
  async run(m: ModelState, real: Real): Promise<void> {
    const before = await snapshot(
      real.services,
      m.sessions.map((s) => s.id),
      real.runStartMs,
    );
    real.clock.advance(this.seconds);
    m.nowMs = real.clock.now();
    if (m.limits.realTimeGrace && this.seconds > m.limits.graceS)
      await new Promise((resolve) => setTimeout(resolve, m.limits.graceS * 1000 + 60));
    const after = await snapshot(
      real.services,
      m.sessions.map((s) => s.id),
      real.runStartMs,
    );
    checkStep({
      services: real.services,
      model: m,
      before,
      after,
      step: { causes: new Set(['time']), concurrent: false, refreshes: [] },
      coverage: real.coverage,
    });
  }
  toString(): string {
    return `advance(${this.seconds}s)`;
  }
}

const index = fc.nat({ max: 63 });

/** The command arbitraries, for lifetimes `limits`. */
export function sessionCommands(limits: model.ModelLimits) {
  // Half the refreshes are honest (a token never consumed), so sessions live long enough to go idle and expire;
  // the replays pick mostly among the sessions still alive, where a replay changes something.
  const from = fc.constantFrom<Array<'held' | 'live-sessions' | 'all'>>('held', 'held', 'held', 'live-sessions', 'live-sessions', 'all');
  const refreshSpec = fc.record({ token: index, from }).map((r): OpSpec => ({ op: 'refresh', ...r }));
  const logoutSpec = index.map((session): OpSpec => ({ op: 'logout', session }));
  const passwordSpec = index.map((session): OpSpec => ({ op: 'change-password', session }));
  const switchSpec = fc.record({ session: index, company: index }).map((r): OpSpec => ({ op: 'switch-company', ...r }));
  const concurrent = fc
    .tuple(
      fc.array(refreshSpec, { minLength: 1, maxLength: 3 }),
      fc.option(fc.oneof(logoutSpec, passwordSpec, switchSpec), { nil: undefined }),
    )
    .filter(([refreshes, other]) => refreshes.length + (other ? 1 : 0) >= 2)
    .map(([refreshes, other]) => new ConcurrentCommand(other ? [...refreshes, other] : refreshes));
  const weighted: Array<[number, fc.Arbitrary<fc.AsyncCommand<ModelState, Real>>]> = [
    [3, fc.nat({ max: 1 }).map((user) => new OneCommand({ op: 'login', user }))],
    [5, refreshSpec.map((spec) => new OneCommand(spec))],
    [3, concurrent],
    [1, logoutSpec.map((spec) => new OneCommand(spec))],
    [2, index.map((user) => new OneCommand({ op: 'logout-all', user }))],
    [2, passwordSpec.map((spec) => new OneCommand(spec))],
    [1, switchSpec.map((spec) => new OneCommand(spec))],
    [1, fc.record({ user: index, company: index }).map((r) => new OneCommand({ op: 'change-roles', ...r }))],
    [3, fc.constantFrom(1, 5, limits.graceS, limits.graceS + 1, 30, 45, 100).map((seconds) => new AdvanceCommand(seconds))],
  ];
  // `fc.commands` takes no weights: an arbitrary listed n times is drawn n times as often.
  return weighted.flatMap(([weight, arbitrary]) => Array.from({ length: weight }, () => arbitrary));
}
