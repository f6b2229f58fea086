import proxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import { ERROR_CATALOGUE, pickLanguage } from '@duotoken/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectName } from '../config/settings.js';
import type { HttpDialect } from '../http/http-dialect.js';
import { isAuthError } from '../errors/auth-error.js';
import { isCorsPreflight } from '../http/is-cors-preflight.js';
import { accessCheck, type AccessCheckDeps } from '../http/require-access.js';
import { extractAccessToken, TOKEN_FIELDS } from '../http/token-lookup.js';
import type { Config } from '../config/settings.js';
import { standardTokenLookup } from '../dialects/standard/standard-tokens.js';
import { identityHeaders, stripTokenParams, upstreamHeaders } from './forwarded-request.js';

/** What the gateway uses: the configuration and the access check. */
export interface GatewayDeps extends AccessCheckDeps {
  config: Config;
}

/** What the gateway proxies when duotoken answers CORS itself: every method but OPTIONS. */
const PROXIED_METHODS_WITH_CORS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];

/** One way of reading a request: a dialect (token places, error shape, 10026 data) and its guard. */
interface GatewayDialect {
  dialect: HttpDialect;
  guard: (request: FastifyRequest) => Promise<void>;
}

/**
 * The dialects the gateway speaks, from the mounted ones. The standard one
 * looks in headers and the URL only: a proxied body is streamed to the
 * upstream untouched, never parsed for a token.
 */
function gatewayDialects(services: GatewayDeps, dialects: Map<DialectName, HttpDialect>): Map<DialectName, GatewayDialect> {
  const { config } = services;
  const out = new Map<DialectName, GatewayDialect>();
  for (const name of config.dialects) {
    const base = dialects.get(name);
    if (!base) continue;
    const dialect: HttpDialect =
      name === 'standard'
        ? {
            ...base,
            findAccessToken: (request) =>
              extractAccessToken(request, {
                ...standardTokenLookup(config),
                sources: config.tokenSources.filter((s) => s !== 'form'),
              }),
          }
        : base;
    const autoRenew = (config.autoRenew as readonly string[]).includes(name);
    out.set(name, { dialect, guard: accessCheck(services, dialect, { autoRenew }) });
  }
  return out;
}

/** mmm clients are recognised by their headers; everyone else speaks the first mounted dialect, standard preferred. */
function pickDialect(request: FastifyRequest, available: Map<DialectName, GatewayDialect>): GatewayDialect {
  const mmm = available.get('mmm');
  if (mmm && (request.headers['x-mmm-accesstoken'] !== undefined || request.headers['x-mmm-refreshtoken'] !== undefined)) return mmm;
  return available.get('standard') ?? available.values().next().value!;
}

/** Answers an unreachable upstream with 502 in the envelope (no details leaked). */
function sendBadGateway(reply: FastifyReply): void {
  const lang = pickLanguage(reply.request.headers['accept-language']);
  void reply
    .code(502)
    .send({ code: ERROR_CATALOGUE.INTERNAL.wire, msg: ERROR_CATALOGUE.INTERNAL[lang], data: { reason: 'upstream_unavailable' } });
}

/**
 * Gateway mode (`DUOTOKEN_UPSTREAM`): every route duotoken does not serve
 * itself is proxied to the upstream once the access token is verified
 * (with 10026 auto-renew for the dialects configured for it). Client
 * headers that read as `x-auth-*` are dropped and the identity is set from the
 * verified token; an access token in the URL is removed unless
 * `DUOTOKEN_UPSTREAM_URL_TOKEN` is on; only a genuine CORS preflight passes
 * without a token; WebSocket upgrades are authenticated like any request,
 * then passed through.
 */
export async function registerGateway(app: FastifyInstance, services: GatewayDeps, dialects: Map<DialectName, HttpDialect>): Promise<void> {
  const { config } = services;
  if (config.upstream.length === 0) return;
  const available = gatewayDialects(services, dialects);
  if (available.size === 0) throw new Error('DUOTOKEN_UPSTREAM: no dialect is mounted to read tokens with');

  await app.register(async (scope) => {
    // Bodies are streamed upstream as they came: no inherited JSON, form or multipart parsing here.
    scope.removeAllContentTypeParsers();

    scope.addHook('onRequest', async function authenticate(request, reply) {
      // A CORS preflight carries no credentials; it goes through with no identity (#12.8: only a genuine one).
      if (!isCorsPreflight(request)) {
        const { dialect, guard } = pickDialect(request, available);
        try {
          await guard(request);
        } catch (error) {
          if (!isAuthError(error)) throw error;
          return dialect.sendError(error, request, reply);
        }
      }
      // request.query was parsed already; the forwarded URL loses the token.
      if (!config.upstreamUrlToken) request.raw.url = stripTokenParams(request.raw.url ?? '/', TOKEN_FIELDS);
    });

    // The handshake sent upstream: the client's cookie (as the default does) plus the verified identity.
    // (`rewriteRequestHeaders` is supported here by @fastify/http-proxy but missing from its types.)
    const wsClientOptions = {
      rewriteRequestHeaders: (headers: Record<string, string>, request: FastifyRequest) => ({
        ...headers,
        ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
        ...identityHeaders(request),
      }),
    } as FastifyHttpProxyOptions['wsClientOptions'];

    for (const route of config.upstream) {
      await scope.register(proxy, {
        upstream: route.target,
        prefix: route.prefix === '/' ? '' : route.prefix,
        websocket: true,
        // With CORS on, duotoken answers every OPTIONS itself (SPEC §10): preflights of listed origins, and its
        // own OPTIONS route would collide with the upstream's.
        ...(config.corsOrigins.length ? { httpMethods: PROXIED_METHODS_WITH_CORS } : {}),
        // reply-from would log the upstream URL; duotoken's own request log is already scrubbed.
        disableRequestLogging: true,
        config: { dialect: 'standard' },
        replyOptions: {
          rewriteRequestHeaders: (request, headers) => upstreamHeaders(request as FastifyRequest, headers) as typeof headers,
          onError: (reply) => sendBadGateway(reply as FastifyReply),
        },
        wsClientOptions,
      });
    }
  });
}
