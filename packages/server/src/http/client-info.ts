import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../sessions/issued-tokens.js';

/** Client address and user agent of a request (behind a proxy, set Fastify's trustProxy). */
export function clientInfo(request: FastifyRequest, deviceType?: string | null): ClientInfo {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null, deviceType: deviceType ?? null };
}
