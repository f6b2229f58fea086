import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo, ErrorDialect, Verifier } from '@duotoken/verify';

/** A tiny app of one framework, listening on 127.0.0.1. */
export interface TinyApp {
  url: string;
  close(): Promise<void>;
}

/** Builds a framework's tiny app (see `FRAMEWORK_APPS`) around a verifier, answering errors in a dialect's shape. */
export type TinyAppFactory = (verifier: Verifier, dialect: ErrorDialect) => Promise<TinyApp>;

/** What the tiny apps answer: the caller as the adapter exposes it. */
export function callerOf(auth: AuthInfo | null | undefined) {
  return {
    userId: auth?.userId,
    companyId: auth?.companyId,
    roles: auth?.roles,
    sessionId: auth?.sessionId,
    amr: auth?.amr,
    authTime: auth?.authTime,
  };
}

/** Listens on 127.0.0.1:random with a Node request listener. */
export function serveNode(listener: RequestListener): Promise<TinyApp> {
  return listening(createServer(listener));
}

/** The TinyApp of a Node server about to listen. */
export function listening(server: Server): Promise<TinyApp> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
