import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { nowSeconds } from '../clock/clock.js';
import type { HttpDialect } from '../dialects/dialect.js';
import { mmmPair } from '../dialects/mmm/mmm-format.js';
import { MmmTokenPair } from '../dialects/mmm/mmm-schemas.js';
import { ok, standardPair } from '../dialects/standard/standard-format.js';
import { bearer, envelope, ErrorEnvelope, protectedErrors, TokenPair } from '../dialects/standard/standard-schemas.js';
import { clientInfo } from '../http/client-info.js';
import { principalOf, requireAccess } from '../http/require-access.js';
import type { Services } from '../services.js';
import type { MfaActor } from './mfa-factors.js';
import { MfaStatusData, MfaVerifyBody, RecoveryCodesData, TotpEnableBody, TotpSetupData } from './mfa-schemas.js';

/**
 * SPEC §9 routes, in the `{code,msg,data}` envelope that standard and mmm
 * share: the login's second step, and enrollment of the signed-in user.
 * Mounted when either dialect is.
 */
export async function registerMfaRoutes(base: FastifyInstance, services: Services, dialect: HttpDialect): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const config = { dialect: 'standard' as const };
  const tags = ['mfa'];
  const guard = requireAccess(services, dialect, { autoRenew: services.config.autoRenew.includes('standard') });
  const secured = { config, preValidation: guard };
  const actorOf = (request: FastifyRequest): MfaActor => {
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
          200: Type.Union([envelope(TokenPair), envelope(MmmTokenPair)]),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          423: ErrorEnvelope,
          429: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      await services.rateLimiter.hitAddress('login', request.ip);
      const { tokens, dialect: of } = await services.mfa.verify.verify({
        ticket: request.body.mfa_ticket,
        method: request.body.method,
        code: request.body.code,
        client: clientInfo(request),
      });
      return ok(request, of === 'mmm' ? mmmPair(tokens) : standardPair(tokens, nowSeconds(services.clock)));
    },
  );

  app.get(
    '/auth/mfa',
    {
      ...secured,
      schema: { tags, security: bearer, summary: 'My second factors', response: { 200: envelope(MfaStatusData), ...protectedErrors } },
    },
    async (request) => {
      const s = await services.mfa.factors.status(principalOf(request).userId);
      return ok(request, { totp: s.totp, passkeys: s.passkeys, recovery_codes_left: s.recoveryCodesLeft, methods: s.methods });
    },
  );

  app.post(
    '/auth/mfa/totp/setup',
    {
      ...secured,
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
      ...secured,
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
      ...secured,
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
      ...secured,
      schema: {
        tags,
        security: bearer,
        summary: 'A new set of 10 recovery codes (the old set is void)',
        response: { 200: envelope(RecoveryCodesData), 409: ErrorEnvelope, ...protectedErrors },
      },
    },
    async (request) => ok(request, { recovery_codes: await services.mfa.factors.regenerateRecoveryCodes(actorOf(request)) }),
  );
}
