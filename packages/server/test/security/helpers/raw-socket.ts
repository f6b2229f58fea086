import { connect, type Socket } from 'node:net';

/** A raw TCP connection to a test server, recording what the server sent and whether it closed. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves true once the server has closed the connection, false if it is still open after `ms`. */
  closedWithin(ms: number): Promise<boolean>;
  /** Sends `text` now. */
  write(text: string): void;
  destroy(): void;
}

/** Opens a connection from `localAddress` (127.0.0.2, …: several clients on one machine) and waits until it is up. */
export function openConnection(serverUrl: string, localAddress = '127.0.0.1'): Promise<RawConnection> {
  const url = new URL(serverUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
  let text = '';
  let closed = false;
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    for (const wake of waiters.splice(0)) wake();
  });
  const connection: RawConnection = {
    socket,
    received: () => text,
    closedWithin: (ms) =>
      closed
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            waiters.push(() => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
    write: (chunk) => void socket.write(chunk),
    destroy: () => socket.destroy(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

/** Sends one `GET path` on an open connection and resolves with the status of the answer (0 if the connection closed first). */
export function getOn(connection: RawConnection, path: string): Promise<number> {
  const start = connection.received().length;
  connection.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
  return new Promise((resolve) => {
    const check = () => {
      const answer = /^HTTP\/1\.1 (\d{3})/.exec(connection.received().slice(start));
      if (answer) return resolve(Number(answer[1]));
      if (connection.socket.destroyed) return resolve(0);
      setTimeout(check, 10);
    };
    check();
  });
}
