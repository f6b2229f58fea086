import type { FastifyRequest } from 'fastify';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAM = /token|password|secret|captcha|^t$|^code$/i;

/** A URL with the values of token-like query parameters replaced by `[REDACTED]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return SECRET_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** pino serializer of requests: method, scrubbed URL, client address; never headers or bodies. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    remoteAddress: request.ip,
  };
}

/** Paths redacted should a log call ever include headers or bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["access-token"]',
  'req.headers["refresh-token"]',
  'req.headers["x-mmm-accesstoken"]',
  'req.headers["x-mmm-refreshtoken"]',
  'req.headers.cookie',
  '*.password',
  '*.old_password',
  '*.new_password',
  '*.refresh_token',
  '*.access_token',
];
