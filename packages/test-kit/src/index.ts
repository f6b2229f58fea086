import * as server from '@duotoken/server';
import { testServerStarter } from './test-server.js';

/** A real duotoken of the built `@duotoken/server` package, listening on 127.0.0.1 (see `test-server.ts`). */
export const startTestServer = testServerStarter(server);

export { ADMIN, randomSecret, type TestServer, type TestServerOptions } from './test-server.js';
export { FakeClock } from './fake-clock.js';
export { send, type RawAnswer } from './send.js';
export { call, captchaAnswer, loginStandard, type Answer } from './standard-client.js';
export { startEchoUpstream, type EchoUpstream, type SeenRequest } from './echo-upstream.js';
export { HAVE_REDIS_SERVER, RedisProcess } from './redis-process.js';
export { freePort, waitForPort } from './ports.js';
export { connectPg, dropSchema, uniqueSchema, withSchema } from './pg-schema.js';
export { switchable } from './switchable.js';
export { b64u, claimsOf, forge, hmacSign, nonCanonical, nowOf, serverKey, serverSigned, signWith } from './forge.js';
export { totpCodeAt } from './totp.js';
