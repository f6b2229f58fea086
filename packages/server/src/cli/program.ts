import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { AuthError } from '../errors/auth-error.js';
import { openDatabase } from '../runtime.js';
import { migrateToLatest, pendingMigrations } from '../store/migrate.js';
import { backupCommand, restoreCommand } from './backup-commands.js';
import { withServices, readPasswordFromStdin } from './cli-context.js';
import { printResult } from './output.js';
import { serve } from './serve-command.js';

const CLI: { userId: null; ip: null } = { userId: null, ip: null };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function offsetInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

/** A parser accepting one of `values`. */
function oneOf<T extends string>(...values: T[]): (value: string) => T {
  return (value) => {
    if (!(values as string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return value as T;
  };
}

/** Unix ms of an ISO 8601 date or a number of unix seconds. */
function instant(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('must be an ISO 8601 date or unix seconds');
  return ms;
}

async function passwordOf(options: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin) return readPasswordFromStdin();
  if (options.password !== undefined) return options.password;
  throw new InvalidArgumentError('give the password with --password-stdin (preferred) or --password');
}

/** The server package's version (`package.json` is two levels above `src/cli` and `dist/cli` alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The `duotoken` command line. */
export function buildProgram(): Command {
  const program = new Command('duotoken')
    .description('duotoken: dual-token authentication server')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--json', 'print one JSON document')
    .showHelpAfterError();
  const json = () => Boolean(program.opts<{ json?: boolean }>().json);

  program.command('serve').description('run the HTTP server').action(serve);

  program
    .command('migrate')
    .description('bring the database schema up to date (servers also do it at start)')
    .option('--dry-run', 'list the migrations that would run, apply none')
    .action(async (o: { dryRun?: boolean }) => {
      const opened = openDatabase(loadConfig());
      try {
        if (o.dryRun) {
          const pending = await pendingMigrations(opened);
          printResult(
            { pending, database: opened.description },
            json(),
            pending.length ? `pending: ${pending.join(', ')}` : 'schema is up to date',
          );
          return;
        }
        const applied = await migrateToLatest(opened);
        printResult(
          { applied, database: opened.description },
          json(),
          applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date',
        );
      } finally {
        await opened.db.destroy();
      }
    });

  program
    .command('backup <file>')
    .description('copy the embedded database to a new file while servers run (PostgreSQL: use pg_dump)')
    .action(async (file: string) => {
      const done = await backupCommand(file);
      printResult(done, json(), `backed up ${done.database} to ${done.file}; keep secret.key (or DUOTOKEN_SECRET) with it`);
    });

  program
    .command('restore <file>')
    .description('replace the embedded database with a backup (servers on it must be stopped)')
    .action(async (file: string) => {
      const done = await restoreCommand(file);
      const pending = done.pending.length ? `; the next start migrates it forward (${done.pending.join(', ')})` : '';
      const saved = done.savedAs ? `; the previous database is kept as ${done.savedAs}` : '';
      printResult(done, json(), `restored ${done.database} from ${done.file}${saved}${pending}`);
    });

  const user = program.command('user').description('manage users');
  user
    .command('add <account>')
    .description('create a user')
    .option('--password <password>', 'password (visible in the process list; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <name>', 'display name')
    .option('--admin', 'platform administrator')
    .action(async (account: string, o: { password?: string; passwordStdin?: boolean; name?: string; admin?: boolean }) => {
      const password = await passwordOf(o);
      const created = await withServices((s) => s.admin.createUser({ account, password, name: o.name, isAdmin: o.admin }, CLI));
      printResult(created, json(), `created user #${created.id} ${created.account}`);
    });
  user
    .command('list')
    .description('list users')
    .option('--search <text>', 'substring of account or name')
    .option('--company <id>', 'members of this company only', positiveInt)
    .option('--status <status>', 'active or disabled', oneOf('active', 'disabled'))
    .option('--sort <field>', 'id, account, name or created_at', oneOf('id', 'account', 'name', 'created_at'), 'id')
    .option('--order <order>', 'asc or desc', oneOf('asc', 'desc'), 'asc')
    .option('--limit <n>', 'page size', positiveInt, 50)
    .option('--offset <n>', 'rows to skip', offsetInt, 0)
    .action(
      async (o: {
        search?: string;
        company?: number;
        status?: 'active' | 'disabled';
        sort: 'id' | 'account' | 'name' | 'created_at';
        order: 'asc' | 'desc';
        limit: number;
        offset: number;
      }) => {
        const { company, ...rest } = o;
        printResult((await withServices((s) => s.admin.listUsersPage({ ...rest, companyId: company }, CLI))).items, json());
      },
    );
  for (const [name, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const)
    user
      .command(`${name} <user>`)
      .description(`${name} a user (id or account)${name === 'disable' ? '; revokes every session' : ''}`)
      .action(async (who: string) => {
        const updated = await withServices((s) => s.admin.setUserStatus(who, status, CLI));
        printResult(updated, json(), `user #${updated.id} ${updated.account} is ${updated.status}`);
      });
  user
    .command('show <user>')
    .description('a user with memberships and lockout state')
    .action(async (who: string) => printResult(await withServices((s) => s.admin.userDetail(who, CLI)), json()));
  user
    .command('rename <user> <name>')
    .description("change a user's display name")
    .action(async (who: string, name: string) => {
      const updated = await withServices((s) => s.admin.updateUser(who, { name }, CLI));
      printResult(updated, json(), `user #${updated.id} ${updated.account} is now named ${updated.name}`);
    });
  user
    .command('unlock <user>')
    .description("clear a user's failed logins and lockout (also one past the hard limit)")
    .action(async (who: string) => {
      await withServices((s) => s.admin.unlock(who, CLI));
      printResult({ ok: true }, json(), 'unlocked');
    });
  user
    .command('mfa <user>')
    .description("list a user's second factors (never a secret)")
    .action(async (who: string) => {
      const factors = await withServices((s) => s.admin.listMfa(who, CLI));
      printResult(
        factors,
        json(),
        `totp ${factors.totp ? 'on' : 'off'}, ${factors.passkeys} passkeys, ${factors.recoveryCodesLeft} recovery codes left, ${factors.rememberedDevices} remembered devices`,
      );
    });
  user
    .command('mfa-reset <user>')
    .description("remove a user's second factors and remembered devices; ends every session of theirs")
    .action(async (who: string) => {
      await withServices((s) => s.admin.resetMfa(who, CLI));
      printResult({ ok: true }, json(), 'second factors reset');
    });
  user
    .command('passwd <user>')
    .description("set a user's password; revokes every session")
    .option('--password <password>', 'new password')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (who: string, o: { password?: string; passwordStdin?: boolean }) => {
      const password = await passwordOf(o);
      await withServices((s) => s.admin.resetPassword(who, password, CLI));
      printResult({ ok: true }, json(), 'password changed');
    });

  const company = program.command('company').description('manage companies');
  company
    .command('add <name>')
    .description('create a company')
    .action(async (name: string) => {
      const created = await withServices((s) => s.admin.createCompany(name, CLI));
      printResult(created, json(), `created company #${created.id} ${created.name}`);
    });
  company
    .command('list')
    .description('list companies with their number of members')
    .option('--search <text>', 'substring of the name')
    .option('--status <status>', 'active or disabled', oneOf('active', 'disabled'))
    .option('--limit <n>', 'page size', positiveInt, 200)
    .option('--offset <n>', 'rows to skip', offsetInt, 0)
    .action(async (o: { search?: string; status?: 'active' | 'disabled'; limit: number; offset: number }) =>
      printResult((await withServices((s) => s.admin.companies.list(o, CLI))).items, json()),
    );
  company
    .command('rename <companyId> <name>')
    .description('rename a company')
    .action(async (id: string, name: string) => {
      const updated = await withServices((s) => s.admin.companies.update(positiveInt(id), { name }, CLI));
      printResult(updated, json(), `company #${updated.id} is now named ${updated.name}`);
    });
  for (const [name, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const)
    company
      .command(`${name} <companyId>`)
      .description(`${name} a company${name === 'disable' ? '; revokes the sessions bound to it' : ''}`)
      .action(async (id: string) => {
        const updated = await withServices((s) => s.admin.companies.update(positiveInt(id), { status }, CLI));
        printResult(updated, json(), `company #${updated.id} ${updated.name} is ${updated.status}`);
      });
  company
    .command('members <companyId>')
    .description("a company's members with their roles")
    .option('--limit <n>', 'page size', positiveInt, 200)
    .option('--offset <n>', 'rows to skip', offsetInt, 0)
    .action(async (id: string, o: { limit: number; offset: number }) => {
      const page = await withServices((s) => s.admin.companies.members(positiveInt(id), o, CLI));
      const rows = page.items.map((m) => ({ ...m.user, roles: m.roles, is_default: m.is_default }));
      printResult(json() ? page.items : rows, json());
    });

  const member = program.command('member').description('manage memberships');
  member
    .command('add <user> <companyId>')
    .description('add a user to a company (or change the roles)')
    .option('--role <role>', 'role in the company (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--default', "make it the user's default company")
    .action(async (who: string, companyId: string, o: { role: string[]; default?: boolean }) => {
      const m = await withServices((s) => s.admin.setMembership(who, positiveInt(companyId), o.role, CLI, o.default ?? false));
      printResult(m, json(), `user #${m.user_id} is a member of company #${m.company_id} (${m.roles.join(',') || 'no roles'})`);
    });
  member
    .command('remove <user> <companyId>')
    .description('remove a user from a company; revokes their sessions in it')
    .action(async (who: string, companyId: string) => {
      await withServices((s) => s.admin.removeMembership(who, positiveInt(companyId), CLI));
      printResult({ ok: true }, json(), 'membership removed');
    });

  const keys = program.command('keys').description('manage access-token signing keys');
  keys
    .command('list')
    .description('list keys with their state (active, published, retired) and age')
    .action(async () => printResult(await withServices((s) => s.admin.system.keys(CLI)), json()));
  keys
    .command('rotate')
    .description('create a new signing key; old keys stay published until their tokens expire')
    .action(async () => {
      const key = await withServices((s) => s.admin.system.rotateKey(CLI));
      printResult(key, json(), `new signing key ${key.kid}; running servers pick it up within a minute`);
    });

  const sessions = program.command('sessions').description('manage sessions');
  sessions
    .command('list [user]')
    .description('live sessions, newest first (of one user, or across users with filters)')
    .option('--company <id>', 'bound to this company', positiveInt)
    .option('--ip <address>', 'from this address (exact)')
    .option('--device-type <type>', 'of this device type')
    .option('--limit <n>', 'page size', positiveInt, 200)
    .option('--offset <n>', 'rows to skip', offsetInt, 0)
    .action(async (who: string | undefined, o: { company?: number; ip?: string; deviceType?: string; limit: number; offset: number }) => {
      const { company, ...rest } = o;
      const page = await withServices((s) => s.admin.sessions.list({ ...rest, user: who, companyId: company }, CLI));
      const rows = page.items.map(({ user, user_agent: _ua, ...session }) => ({ ...session, account: user.account }));
      printResult(json() ? page.items : rows, json());
    });
  sessions
    .command('revoke <user>')
    .description("revoke a user's sessions (all, or one with --session)")
    .option('--session <id>', 'only this session')
    .action(async (who: string, o: { session?: string }) => {
      const ids = await withServices(async (s) => {
        const revoked = await s.admin.revokeUserSessions(who, o.session, CLI);
        // A named session that matched nothing is an error (a typo must not look like success).
        if (o.session && revoked.length === 0) throw new AuthError('NOT_FOUND', { details: { field: 'session' } });
        return revoked;
      });
      printResult({ revoked: ids }, json(), `revoked ${ids.length} session(s)`);
    });
  program
    .command('audit')
    .description('audit events, newest first')
    .option('--type <type>', 'event type (login.failure, session.revoked, admin.action, …), or a prefix ending in a dot (login.)')
    .option('--actor <id>', 'id of the user who acted', positiveInt)
    .option('--user <id>', 'same as --actor', positiveInt)
    .option('--subject <id>', 'id of the user acted upon', positiveInt)
    .option('--outcome <outcome>', 'success or failure', oneOf('success', 'failure'))
    .option('--session <id>', 'session id')
    .option('--since <iso>', 'from this time (ISO 8601 or unix seconds)', instant)
    .option('--until <iso>', 'before this time (ISO 8601 or unix seconds)', instant)
    .option('--limit <n>', 'page size', positiveInt, 100)
    .option('--before-id <id>', 'next page: events older than this id', positiveInt)
    .option('--csv', 'print the newest 10,000 matching events as CSV (as GET /admin/audit.csv)')
    .action(
      async (o: {
        type?: string;
        actor?: number;
        user?: number;
        subject?: number;
        outcome?: 'success' | 'failure';
        session?: string;
        since?: number;
        until?: number;
        limit: number;
        beforeId?: number;
        csv?: boolean;
      }) => {
        const filters = {
          type: o.type,
          userId: o.actor ?? o.user,
          subjectId: o.subject,
          outcome: o.outcome,
          sessionId: o.session,
          since: o.since,
          until: o.until,
          beforeId: o.beforeId,
        };
        if (o.csv) {
          process.stdout.write(await withServices((s) => s.admin.audit.csv(filters, CLI)));
          return;
        }
        const page = await withServices((s) => s.admin.audit.query({ ...filters, limit: Math.min(o.limit, 1000) }, CLI));
        const rows = page.items.map((e) => ({ ...e, at: new Date(e.at * 1000).toISOString(), details: JSON.stringify(e.details) }));
        printResult(json() ? page : rows, json());
      },
    );
  return program;
}
