// The reference for duotoken's "session check ÷ /healthz" ratio (docs/benchmarks.md):
// bare node:http answering the same bytes as duotoken — `/healthz` with its
// headers and `{"status":"ok"}`, `/auth/verify` with the same headers plus the
// six x-auth-* headers and the same envelope — after the least a check can do:
// one Map lookup of the presented token among those already verified. No
// framework, no hooks, no metrics, no logger, no fence, no expiry.
// KNOWN_TOKEN is duotoken's bench token; duotoken's own (built) answer builder
// gives the answer for its claims, so the two stay byte for byte the same.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { toPrincipal } from '@duotoken/protocol';
import { forwardAuthAnswer } from '../../../packages/server/dist/dialects/standard/forward-auth-answer.js';

/** The answer for a token already verified by duotoken (its claims are read, not checked, here). */
function answerOf(token) {
  const answer = forwardAuthAnswer(toPrincipal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))));
  return { headers: answer.headers, body: answer.body.zh };
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
