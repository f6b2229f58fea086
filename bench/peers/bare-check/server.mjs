// The reference for duotoken's "session check ÷ /healthz" ratio (docs/benchmarks.md):
// bare node:http answering the same bytes as duotoken — `/healthz` with its
// headers and `{"status":"ok"}`, `/auth/verify` with the same headers plus the
// six x-auth-* headers and the same envelope — after the least a check can do:
// one Map lookup of the presented token among those already verified. No
// framework, no hooks, no metrics, no logger, no fence, no expiry.
// KNOWN_TOKEN is duotoken's bench token; its claims give the answer.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

/** The claims of a compact JWS (already verified by duotoken; read, not checked, here). */
const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

/** duotoken's answer for one token (dialects/standard/forward-auth-answer.ts, http/identity-headers.ts). */
function answerOf(token) {
  const c = claimsOf(token);
  const data = { user_id: c.uid, company_id: c.company_id ?? null, session_id: c.sid, roles: c.roles, amr: c.amr, auth_time: c.auth_time };
  return {
    headers: {
      'x-auth-user-id': String(c.uid),
      'x-auth-company-id': c.company_id == null ? '' : String(c.company_id),
      'x-auth-session-id': c.sid,
      'x-auth-roles': c.roles.join(','),
      'x-auth-amr': c.amr.join(','),
      'x-auth-auth-time': String(c.auth_time),
    },
    body: JSON.stringify({ code: '00000', msg: '成功', data }),
  };
}

const verified = new Map();
if (process.env.KNOWN_TOKEN) verified.set(process.env.KNOWN_TOKEN, answerOf(process.env.KNOWN_TOKEN));

let dateSecond = NaN;
let dateText = '';
/** The headers duotoken sends on every answer, in its order. */
function commonHeaders() {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) [dateSecond, dateText] = [second, new Date(second * 1000).toUTCString()];
  return {
    date: dateText,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-request-id': randomUUID(),
  };
}

function send(res, status, headers, body) {
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

createServer((req, res) => {
  const headers = commonHeaders();
  if (req.url === '/healthz') return send(res, 200, headers, JSON.stringify({ status: 'ok' }));
  if (req.url !== '/auth/verify') return send(res, 404, headers, '{"code":"10044","msg":"not found","data":null}');
  const auth = req.headers.authorization;
  const answer = auth?.startsWith('Bearer ') ? verified.get(auth.slice(7)) : undefined;
  if (!answer) return send(res, 401, headers, '{"code":"10028","msg":"invalid token","data":null}');
  Object.assign(headers, answer.headers);
  send(res, 200, headers, answer.body);
}).listen(Number(process.env.PORT ?? 3003), '127.0.0.1');
