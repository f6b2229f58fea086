import type { Server, ServerOptions } from 'node:http';
import type { Config } from '../config/settings.js';
import { enforceBodyTimeout } from './body-timeout.js';
import { capConnectionsPerAddress, trustedPeers } from './connection-cap.js';

/**
 * How often Node looks for requests past their headers or request timeout
 * (its default, 30 s, would let a 10 s timeout run to 40 s). The sweep is a
 * walk over the open connections.
 */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/**
 * Fastify's server options for the request timeouts (#12.9): headers within
 * `DUOTOKEN_HEADERS_TIMEOUT`, the whole request within
 * `DUOTOKEN_REQUEST_TIMEOUT`, or Node answers 408 and closes the connection.
 */
export function timeoutOptions(config: Config): { requestTimeout: number; http: ServerOptions } {
  const requestTimeoutMs = config.requestTimeout * 1000;
  return {
    // Fastify sets the server's requestTimeout from its own option after creating it.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: config.headersTimeout * 1000,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
  };
}

/** The limits Node has no option for: the body timeout and the cap on connections per address (#12.9). */
export function limitConnections(server: Server, config: Config): void {
  enforceBodyTimeout(server, config.bodyTimeout * 1000);
  capConnectionsPerAddress(server, config.maxConnectionsPerIp, trustedPeers(config.trustProxy));
}
