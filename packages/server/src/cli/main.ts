import { ConfigError } from '../config/parse-config.js';
import { isAuthError } from '../errors/auth-error.js';
import { buildProgram } from './program.js';

/** Entry point of the `duotoken` command: clear one-line errors on stderr, non-zero exit. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`duotoken: ${error.message}\n`);
    else if (isAuthError(error))
      process.stderr.write(`duotoken: ${error.code}: ${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}\n`);
    else process.stderr.write(`duotoken: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 78 : 1;
  }
}
