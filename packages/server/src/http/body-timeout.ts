import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Closes a connection on which a request body stops arriving for `timeoutMs`
 * (nginx's `client_body_timeout`): headers and 4 of 100 announced bytes, then
 * silence, no longer hold a connection for good (#12.9, CWE-400). The
 * socket's idle timer runs only while a body is expected; Node's own
 * keep-alive timer takes over once the answer is sent. `timeoutMs` 0 turns it off.
 */
export function enforceBodyTimeout(server: Server, timeoutMs: number): void {
  if (timeoutMs === 0) return;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { headers, socket } = request;
    const length = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return;
    const cutOff = () => socket.destroy();
    socket.setTimeout(timeoutMs, cutOff);
    request.once('end', () => {
      socket.removeListener('timeout', cutOff);
      // Once the answer is sent, the timer is Node's keep-alive timer: leave it be.
      if (!response.writableFinished) socket.setTimeout(0);
    });
  });
}
