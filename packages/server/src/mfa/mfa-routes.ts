import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Type } from 'typebox';
import { nowSeconds } from '../clock/clock.js';
import type { HttpDialect } from '../http/http-dialect.js';
import { mmmPair } from '../dialects/mmm/mmm-format.js';
import { ok } from '../http/envelope.js';
import { standardPair } from '../dialects/standard/standard-format.js';
import { envelope, ErrorEnvelope } from '../http/envelope.js';
import { bearer, protectedErrors, TokenPair } from '../dialects/standard/standard-schemas.js';
import { requireRecentAuth } from '../http/require-recent-auth.js';
import { registerPasskeyRoutes } from './passkey-routes.js';
import { clientInfo } from '../http/client-info.js';
import { principalOf, requireAccess } from '../http/require-access.js';
import type { MfaRouteDeps } from './mfa-route-deps.js';
import type { MfaActor } from './mfa-factors.js';
import { AuthError } from '../errors/auth-error.js';

/** Header carrying the enrollment ticket of a 10064 answer (SPEC §9): it may call the TOTP set-up routes, nothing else. */
export const ENROLL_TICKET_HEADER = 'mfa-ticket';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user enrolling with an enrollment ticket instead of an access token. */
    enrollingUser: { userId: number; ip: string | null } | null;
  }
}
import { MfaStatusData, MfaTokenPair, MfaVerifyBody, ReauthBody, RecoveryCodesData, TotpEnableBody, TotpSetupData } from './mfa-schemas.js';

/**
 * SPEC §9 routes, in the `{code,msg,data}` envelope that standard and mmm
 * share: the login's second step, and enrollment of the signed-in user.
 * Mounted when either dialect is.
 */
export async function registerMfaRoutes(base: FastifyInstance, services: MfaRouteDeps, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const config = { dialect: 'standard' as const };
  const tags = ['mfa'];
  const guard = requireAccess(services, dialect, { autoRenew: services.config.autoRenew.includes('standard') });
  const secured = { config, preValidation: guard };
  // Every change of a factor needs a recent authentication (SPEC §9 step-up).
  await registerPasskeyRoutes(base, services, dialect);
  const stepUp = requireRecentAuth(services.mfa.recentAuth);
  const change = { ...secured, preHandler: stepUp };
  app.decorateRequest('enrollingUser', null);
  // The TOTP set-up accepts an enrollment ticket (its password was just checked: recent enough) or an access token.
  const enrolling = {
    config,
    preValidation: (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const ticket = request.headers[ENROLL_TICKET_HEADER];
      if (ticket === undefined) return guard.call(app, request, reply, done);
      services.mfa.tickets.peek(typeof ticket === 'string' ? ticket : undefined).then((t) => {
        if (t.kind !== 'enroll') return done(new AuthError('MFA_TICKET_INVALID'));
        request.enrollingUser = { userId: t.userId, ip: request.ip ?? null };
        done();
      }, done);
    },
    preHandler: async (request: FastifyRequest) => {
      if (!request.enrollingUser) await stepUp(request);
    },
  };
  const actorOf = (request: FastifyRequest): MfaActor => {
    if (request.enrollingUser) return request.enrollingUser;
    const p = principalOf(request);
    return { userId: p.userId, sessionId: p.sessionId, ip: request.ip ?? null };
  };

  app.post(
    '/auth/mfa/verify',
    {
      config,
      schema: {
        tags,
        summary: 'Second step of a login: the ticket of 10060 (or 10064) and a code; answers the pair of the login’s dialect',
        body: MfaVerifyBody,
        response: {
          200: envelope(MfaTokenPair),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          423: ErrorEnvelope,
          429: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      await services.rateLimiter.hitAddress('login', request.ip);
      const {
        tokens,
        dialect: of,
        deviceToken,
      } = await services.mfa.verify.verify({
        ticket: request.body.mfa_ticket,
        method: request.body.method,
        code: request.body.code,
        credential: request.body.credential,
        rememberDevice: request.body.remember_device,
        client: clientInfo(request),
      });
      const pair = of === 'mmm' ? mmmPair(tokens) : standardPair(tokens, nowSeconds(services.clock));
      return ok(request, deviceToken ? { ...pair, device_token: deviceToken } : pair);
    },
  );

  app.get(
    '/auth/mfa',
    {
      ...secured,
      schema: { tags, security: bearer, summary: 'My second factors', response: { 200: envelope(MfaStatusData), ...protectedErrors } },
    },
    async (request) => {
      const userId = principalOf(request).userId;
      const s = await services.mfa.factors.status(userId);
      const devices = await services.store.listMfaDevices(userId, services.clock.now());
      return ok(request, {
        totp: s.totp,
        passkeys: s.passkeys,
        recovery_codes_left: s.recoveryCodesLeft,
        remembered_devices: devices.length,
        methods: s.methods,
      });
    },
  );

  app.post(
    '/auth/mfa/totp/setup',
    {
      ...enrolling,
      schema: {
        tags,
        security: bearer,
        summary: 'Start a TOTP set-up: secret, otpauth URL and QR code (not active until confirmed)',
        response: { 200: envelope(TotpSetupData), 409: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => {
      const r = await services.mfa.factors.setupTotp(actorOf(request));
      return ok(request, { secret: r.secret, otpauth_url: r.otpauthUrl, qr_svg: r.qrSvg });
    },
  );

  app.post(
    '/auth/mfa/totp/enable',
    {
      ...enrolling,
      schema: {
        tags,
        security: bearer,
        summary: 'Confirm TOTP with a code of it; answers 10 recovery codes, shown once',
        body: TotpEnableBody,
        response: { 200: envelope(RecoveryCodesData), 409: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => ok(request, { recovery_codes: await services.mfa.factors.enableTotp(actorOf(request), request.body.code) }),
  );

  app.delete(
    '/auth/mfa/totp',
    {
      ...change,
      schema: {
        tags,
        security: bearer,
        summary: 'Turn TOTP off',
        response: { 200: envelope(Type.Null()), 404: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => {
      await services.mfa.factors.disableTotp(actorOf(request));
      return ok(request, null);
    },
  );

  app.post(
    '/auth/mfa/recovery-codes',
    {
      ...change,
      schema: {
        tags,
        security: bearer,
        summary: 'A new set of 10 recovery codes (the old set is void)',
        response: { 200: envelope(RecoveryCodesData), 409: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => ok(request, { recovery_codes: await services.mfa.factors.regenerateRecoveryCodes(actorOf(request)) }),
  );

  app.post(
    '/auth/reauth',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'Step-up: prove the password (or a TOTP or recovery code) again; a new pair in the same session with a fresh auth_time',
        body: ReauthBody,
        response: { 200: envelope(TokenPair), ...protectedErrors, 423: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (request) => {
      await services.rateLimiter.hitAddress('login', request.ip);
      const tokens = await services.mfa.reauth.reauth(principalOf(request), request.body, clientInfo(request));
      return ok(request, standardPair(tokens, nowSeconds(services.clock)));
    },
  );

  app.delete(
    '/auth/mfa/devices',
    {
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'Forget my remembered devices: every login asks for the second factor again',
        response: { 200: envelope(Type.Object({ forgotten: Type.Integer() })), ...protectedErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const forgotten = await services.store.deleteMfaDevices(actor.userId);
      await services.audit.record({
        type: 'mfa.devices_forgotten',
        userId: actor.userId,
        sessionId: actor.sessionId,
        ip: actor.ip,
        details: { forgotten },
      });
      return ok(request, { forgotten });
    },
  );
}
