import type { StandardTokenPair } from '@duotoken/protocol';
import { send } from './send.js';
import type { TestServer } from './test-server.js';

/** A parsed JSON answer with its status and headers. */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: { code: string; msg: string; data: T };
}

/** Sends a request (JSON or form body) and parses the `{code,msg,data}` envelope. */
export function call<T = unknown>(
  server: TestServer,
  method: string,
  path: string,
  options: { json?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Answer<T>> {
  return send<Answer<T>['body']>(server, method, path, options);
}

/** The captcha answer the server drew for `t` (read from the server side: tests cannot OCR). */
export async function captchaAnswer(server: TestServer, t: string): Promise<string> {
  const raw = await server.runtime.services.ephemeral.get(`challenge:${t}`);
  const answer = raw ? (JSON.parse(raw) as { answer?: string }).answer : undefined;
  if (!answer) throw new Error(`no captcha drawn for ${t}`);
  return answer;
}

/** get_t → captcha → login; returns the token pair. */
export async function loginStandard(
  server: TestServer,
  account: string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<StandardTokenPair> {
  const challenge = await call<{ t: string }>(server, 'GET', '/auth/get_t');
  const t = challenge.body.data.t;
  const captchaRes = await server.fetch(`/auth/captcha?t=${t}`);
  await captchaRes.text();
  const captcha = await captchaAnswer(server, t);
  const res = await call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account, password, t, captcha, ...extra } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}
