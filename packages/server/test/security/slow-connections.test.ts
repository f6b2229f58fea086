import { afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/test-server.js';
import { startSecurityServer } from './helpers/security-server.js';
import { getOn, openConnection, type RawConnection } from './helpers/raw-socket.js';

/** A login whose headers are complete and which announces 100 body bytes. */
const LOGIN_HEAD = 'POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';

describe('slow clients and connection floods (#12.9, CWE-400)', () => {
  let server: TestServer | undefined;
  const connections: RawConnection[] = [];
  const open = async (from?: string) => {
    const connection = await openConnection(server!.url, from);
    connections.push(connection);
    return connection;
  };
  afterEach(async () => {
    for (const c of connections.splice(0)) c.destroy();
    await server?.close();
    server = undefined;
  });

  it('#12.9 a body that stops arriving (headers and 4 of 100 bytes, then silence) is cut off at the body timeout', async () => {
    server = await startSecurityServer({ DUOTOKEN_BODY_TIMEOUT: '1s', DUOTOKEN_REQUEST_TIMEOUT: '60s' });
    const slow = await open();
    slow.write(`${LOGIN_HEAD}{"ac`);
    // Bounded wait: the body timeout plus the server's checking interval and some load.
    expect(await slow.closedWithin(5_000)).toBe(true);
    // The server still serves everyone else.
    expect(await getOn(await open(), '/healthz')).toBe(200);
  });

  it('#12.9 a body trickling in a byte at a time still ends at the request timeout (408)', async () => {
    server = await startSecurityServer({ DUOTOKEN_BODY_TIMEOUT: '30s', DUOTOKEN_HEADERS_TIMEOUT: '1s', DUOTOKEN_REQUEST_TIMEOUT: '2s' });
    const slow = await open();
    slow.write(LOGIN_HEAD);
    const trickle = setInterval(() => slow.write(' '), 200);
    try {
      expect(await slow.closedWithin(7_000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('#12.9 headers that never end are cut off at the headers timeout (408, slowloris)', async () => {
    server = await startSecurityServer({ DUOTOKEN_HEADERS_TIMEOUT: '1s', DUOTOKEN_REQUEST_TIMEOUT: '60s' });
    const slow = await open();
    slow.write('GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ');
    const trickle = setInterval(() => slow.write('a'), 200);
    try {
      expect(await slow.closedWithin(5_000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('#12.9 one address holds at most N connections: the N+1st is closed, other addresses are served, a freed slot is reusable', async () => {
    server = await startSecurityServer({ DUOTOKEN_MAX_CONNECTIONS_PER_IP: '3' });
    const held = [await open('127.0.0.2'), await open('127.0.0.2'), await open('127.0.0.2')];
    const extra = await open('127.0.0.2');
    expect(await extra.closedWithin(2_000)).toBe(true);
    for (const c of held) expect(c.socket.destroyed).toBe(false);
    expect(await getOn(held[0]!, '/healthz')).toBe(200);
    expect(await getOn(await open('127.0.0.3'), '/healthz')).toBe(200);

    held[1]!.destroy();
    await held[1]!.closedWithin(1_000);
    // The server sees the close a moment after the client does.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      const next = await open('127.0.0.2');
      status = await getOn(next, '/healthz');
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });
});
