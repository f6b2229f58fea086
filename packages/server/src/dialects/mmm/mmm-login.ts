import type { FastifyRequest } from 'fastify';
import { clientInfo } from '../../http/client-info.js';
import type { LoginRouteDeps } from '../dialect-deps.js';
import { ok } from '../../http/envelope.js';
import { mmmPair } from './mmm-format.js';

/** What an mmm login reads from the body. */
export interface MmmLoginInput {
  account: string;
  password: string;
  company_id?: number | undefined;
  device_type?: string | undefined;
  device_token?: string | undefined;
}

/**
 * An mmm login (seed 002: `account`, `password`, no headers): a session of
 * dialect `mmm`, answered with the mmm pair in the envelope. Seed 002's
 * clients know no captcha, so lockout and rate limits guard it alone.
 */
export async function loginMmm(services: LoginRouteDeps, request: FastifyRequest, body: MmmLoginInput) {
  const tokens = await services.login.login({
    account: body.account,
    password: body.password,
    companyId: body.company_id,
    dialect: 'mmm',
    challenge: { kind: 'none' },
    client: clientInfo(request, body.device_type),
    deviceToken: body.device_token,
  });
  return ok(request, mmmPair(tokens));
}
