import { accessSync, constants, mkdirSync } from 'node:fs';
import { ConfigError } from './parse-config.js';

/**
 * Makes sure `dir` exists (created 0700: it holds the database and the server
 * secret) and this process may write there. Otherwise start-up stops with one
 * line naming the setting and the path, instead of a bare "unable to open
 * database file" from the driver.
 */
export function ensureWritableDir(dir: string, setting: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason = code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'not writable by this process' : 'cannot be created';
    throw new ConfigError([`${setting}: ${dir} ${reason} (${code ?? message})`]);
  }
}
