import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { nowSeconds } from '../clock/clock.js';
import type { HttpDialect } from '../http/http-dialect.js';
import { ok } from '../http/envelope.js';
import { standardPair } from '../dialects/standard/standard-format.js';
import { envelope, ErrorEnvelope } from '../http/envelope.js';
import { bearer, protectedErrors, TokenPair } from '../dialects/standard/standard-schemas.js';
import { AuthError } from '../errors/auth-error.js';
import { clientInfo } from '../http/client-info.js';
import { principalOf, requireAccess } from '../http/require-access.js';
import type { MfaRouteDeps } from './mfa-route-deps.js';
import { requireRecentAuth } from '../http/require-recent-auth.js';

/** A WebAuthn credential in its JSON form (`RegistrationResponseJSON` / `AuthenticationResponseJSON`); the library checks it. */
const Credential = Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: true });
/** WebAuthn options in their JSON form, as `@simplewebauthn/server` makes them. */
const Options = envelope(Type.Unknown());
/** One of my passkeys as `GET /auth/webauthn/credentials` shows it (times in unix seconds; never the key). */
const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  backed_up: Type.Boolean(),
  created_at: Type.Integer(),
  last_used_at: Type.Union([Type.Integer(), Type.Null()]),
});
const seconds = (ms: number) => Math.floor(Number(ms) / 1000);

/** SPEC §9 passkey routes: registration and removal (step-up), options for the second step, passwordless login. */
export async function registerPasskeyRoutes(base: FastifyInstance, services: MfaRouteDeps, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const config = { dialect: 'standard' as const };
  const tags = ['mfa'];
  const change = {
    config,
    preValidation: requireAccess(services, dialect, { autoRenew: services.config.autoRenew.includes('standard') }),
    preHandler: requireRecentAuth(services.mfa.recentAuth),
  };
  const actorOf = (request: FastifyRequest) => {
    const p = principalOf(request);
    return { userId: p.userId, sessionId: p.sessionId, ip: request.ip ?? null };
  };
  const { passkeys, passkeyLogin, tickets } = services.mfa;

  app.post(
    '/auth/webauthn/register/options',
    {
      ...change,
      schema: { tags, security: bearer, summary: 'Creation options for a new passkey', response: { 200: Options, ...protectedErrors } },
    },
    async (request) => ok(request, await passkeys.registrationOptions(actorOf(request))),
  );

  app.post(
    '/auth/webauthn/register',
    {
      ...change,
      schema: {
        tags,
        security: bearer,
        summary: 'Add a passkey: the RegistrationResponseJSON of the last options, and a name',
        body: Type.Object({ credential: Credential, name: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: envelope(Type.Object({ id: Type.String() })), ...protectedErrors },
      },
    },
    async (request) =>
      ok(
        request,
        await passkeys.register(actorOf(request), request.body.credential as unknown as RegistrationResponseJSON, request.body.name),
      ),
  );

  app.get(
    '/auth/webauthn/credentials',
    {
      config,
      preValidation: change.preValidation,
      schema: { tags, security: bearer, summary: 'My passkeys', response: { 200: envelope(Type.Array(PasskeyView)), ...protectedErrors } },
    },
    async (request) => {
      const rows = await services.store.listWebauthnCredentials(principalOf(request).userId);
      return ok(
        request,
        rows.map((r) => ({
          id: r.id,
          name: r.name,
          backed_up: Boolean(r.backed_up),
          created_at: seconds(r.created_at),
          last_used_at: r.last_used_at === null ? null : seconds(r.last_used_at),
        })),
      );
    },
  );

  app.delete(
    '/auth/webauthn/credentials/:id',
    {
      ...change,
      schema: {
        tags,
        security: bearer,
        summary: 'Remove a passkey',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: envelope(Type.Null()), 404: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => {
      await passkeys.remove(actorOf(request), request.params.id);
      return ok(request, null);
    },
  );

  app.post(
    '/auth/mfa/webauthn/options',
    {
      config,
      schema: {
        tags,
        summary: 'Request options for the second step with a passkey (the ticket of 10060)',
        body: Type.Object({ mfa_ticket: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Options, 400: ErrorEnvelope },
      },
    },
    async (request) => {
      const ticket = await tickets.peek(request.body.mfa_ticket);
      if (ticket.kind !== 'login') throw new AuthError('MFA_TICKET_INVALID');
      return ok(request, await passkeys.authenticationOptions(request.body.mfa_ticket, ticket.userId, 'preferred'));
    },
  );

  app.get(
    '/auth/passkey/options',
    {
      config,
      schema: {
        tags,
        summary: 'Request options for a passwordless login with a discoverable passkey, bound to a challenge t',
        querystring: Type.Object({ t: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Options, 400: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (request) => {
      await services.rateLimiter.hitAddress('login', request.ip);
      return ok(request, await passkeyLogin.options(request.query.t));
    },
  );

  app.post(
    '/auth/passkey/login',
    {
      config,
      schema: {
        tags,
        summary: 'Passwordless login: t and the AuthenticationResponseJSON (user verification required)',
        body: Type.Object({ t: Type.String({ minLength: 1, maxLength: 64 }), credential: Credential }),
        response: { 200: envelope(TokenPair), 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (request) => {
      await services.rateLimiter.hitAddress('login', request.ip);
      const tokens = await passkeyLogin.login(request.body.t, request.body.credential, clientInfo(request));
      return ok(request, standardPair(tokens, nowSeconds(services.clock)));
    },
  );
}
