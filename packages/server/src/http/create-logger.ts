import { pino, type Logger } from 'pino';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config/settings.js';
import { REDACT_PATHS, serializeRequest } from './log-redaction.js';

/**
 * The process logger: JSON lines, URLs scrubbed of token parameters,
 * credential headers and body fields redacted, never request bodies.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, stream?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: {
      req: serializeRequest,
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
  return stream ? pino(options, stream as pino.DestinationStream) : pino(options);
}
