import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { challengeRuleFor } from '../../auth/login-service.js';
import { nowSeconds } from '../../clock/clock.js';
import { clientInfo } from '../../http/client-info.js';
import type { LoginRouteDeps } from '../dialect-deps.js';
import { standardPair } from './standard-format.js';
import { ok, ErrorEnvelope } from '../../http/envelope.js';
import { type LoginBody } from './standard-schemas.js';

/** Error answers of a login route. */
export const loginErrors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 423: ErrorEnvelope, 429: ErrorEnvelope };

/** The standard login (SPEC §3): challenge, then the shared login service; the standard pair in the envelope. */
export async function loginStandard(services: LoginRouteDeps, request: FastifyRequest, body: Static<typeof LoginBody>) {
  const tokens = await services.login.login({
    account: body.account,
    password: body.password,
    t: body.t,
    captcha: body.captcha,
    companyId: body.company_id,
    dialect: 'standard',
    challenge: challengeRuleFor(services.config.captcha),
    client: clientInfo(request, body.device_type),
    deviceToken: body.device_token,
  });
  return ok(request, standardPair(tokens, nowSeconds(services.clock)));
}
