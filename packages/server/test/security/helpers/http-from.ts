import { request } from 'node:http';
import type { TestServer } from '../../helpers/test-server.js';

/** An answer read by `httpFrom`. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { code: string; msg: string; data: unknown } | undefined;
}

/**
 * One request from a chosen loopback source address (127.0.0.2, 127.0.0.3…):
 * lets a test play several clients, as the server sees them by `request.ip`.
 */
export function httpFrom(
  server: TestServer,
  from: string,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const url = new URL(path, server.url);
  const payload = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        localAddress: from,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: RawAnswer['body'];
          try {
            body = text ? (JSON.parse(text) as RawAnswer['body']) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
