import type { StandardTokenPair } from '@duotoken/protocol';
import { expect } from 'vitest';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk } from '../security/helpers/security-server.js';

/** The data of a 10060 answer. */
export interface MfaRequired {
  mfa_ticket: string;
  methods: string[];
  expires_in: number;
}

/** Enrolls TOTP for an account over HTTP (setup, confirm) and returns its secret and recovery codes; moves the clock past the confirming step. */
export async function enrollTotp(server: TestServer, account: string, password: string) {
  const { access_token } = await loginOk(server, account, password);
  const setup = await call<{ secret: string; otpauth_url: string; qr_svg: string }>(server, 'POST', '/auth/mfa/totp/setup', {
    headers: bearer(access_token),
  });
  expect(setup.status).toBe(200);
  const enable = await call<{ recovery_codes: string[] }>(server, 'POST', '/auth/mfa/totp/enable', {
    headers: bearer(access_token),
    json: { code: totpCodeAt(setup.body.data.secret, server.clock.now()) },
  });
  expect(enable.status).toBe(200);
  // The confirming code's step is used: the next code must come from a later step.
  server.clock.advance(30);
  return { secret: setup.body.data.secret, recoveryCodes: enable.body.data.recovery_codes, accessToken: access_token };
}

/** A password login that must answer 10060; returns its data. */
export async function loginNeedsMfa(server: TestServer, account: string, password: string, extra: Record<string, unknown> = {}) {
  const res = await login(server, account, password, extra);
  expect(res.body.code, JSON.stringify(res.body)).toBe('10060');
  expect(res.status).toBe(401);
  return res.body.data as unknown as MfaRequired;
}

/** POST /auth/mfa/verify. */
export function verifyMfa(server: TestServer, body: Record<string, unknown>) {
  return call<StandardTokenPair & { device_token?: string }>(server, 'POST', '/auth/mfa/verify', { json: body });
}

/** The current TOTP code of a secret on the server's clock. */
export const codeNow = (server: TestServer, secret: string) => totpCodeAt(secret, server.clock.now());
