import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from './parse-config.js';
import type { Config } from './settings.js';

/**
 * Reads the configuration of this process: the JSON file named by
 * `DUOTOKEN_CONFIG` (if any) overlaid by `DUOTOKEN_*` environment variables.
 * Only entry points (main, CLI) call this; everything else takes a `Config`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const path = env.DUOTOKEN_CONFIG;
  let file: Record<string, unknown> = {};
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError([`DUOTOKEN_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
    }
    if (!file || typeof file !== 'object' || Array.isArray(file))
      throw new ConfigError([`DUOTOKEN_CONFIG: ${path} must hold a JSON object`]);
  }
  return parseConfig(env, file, path);
}
