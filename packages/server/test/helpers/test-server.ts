import { testServerStarter } from '@duotoken/test-kit/test-server';
import { parseConfig } from '../../src/config/parse-config.js';
import { createLogger } from '../../src/http/create-logger.js';
import { createRuntime } from '../../src/runtime.js';

/** The test server of `@duotoken/test-kit` over this package's sources, so that the server's own tests run what they change. */
export const startTestServer = testServerStarter({ parseConfig, createRuntime, createLogger });

export { ADMIN, randomSecret, type TestServer, type TestServerOptions } from '@duotoken/test-kit/test-server';
