import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/parse-config.js';
import { parseDuration } from '../../src/config/duration.js';

describe('parseConfig', () => {
  it('gives the SPEC §8 defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      dialects: ['standard'],
      captcha: 'always',
      rateLimits: true,
      accessTtl: 900,
      refreshTtl: 30 * 86400,
      sessionMaxAge: 90 * 86400,
      refreshGrace: 10,
      issuer: 'duotoken',
      audience: 'duotoken',
      adminAccount: 'admin',
      logLevel: 'info',
      jwtAlg: 'EdDSA',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads durations as seconds or 15m-style text', () => {
    expect(parseConfig({ DUOTOKEN_ACCESS_TTL: '10m', DUOTOKEN_REFRESH_TTL: '7d', DUOTOKEN_REFRESH_GRACE: '30' })).toMatchObject({
      accessTtl: 600,
      refreshTtl: 7 * 86400,
      refreshGrace: 30,
    });
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('15x')).toBeUndefined();
  });

  it('environment variables win over the config file, whose nested keys flatten with _', () => {
    const c = parseConfig({ DUOTOKEN_PORT: '9000' }, { port: 7000, access_ttl: '5m', token: { strict: 'on' } });
    expect(c.port).toBe(9000);
    expect(c.accessTtl).toBe(300);
    expect(c.tokenStrict).toBe(true);
  });

  it('reports every problem at once, one line per key naming the variable and the file key', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(
        { DUOTOKEN_PORT: 'eighty', DUOTOKEN_CAPTCHA: 'sometimes', DUOTOKEN_DIALECTS: 'standard,soap' },
        { bogus_key: 1 },
        'duotoken.json',
      );
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(4);
    expect(error!.problems.join('\n')).toMatch(/DUOTOKEN_PORT \(config key "port"\)/);
    expect(error!.problems.join('\n')).toMatch(/DUOTOKEN_CAPTCHA \(config key "captcha"\): must be one of always, after-failures, off/);
    expect(error!.problems.join('\n')).toMatch(/DUOTOKEN_DIALECTS.*soap/);
    expect(error!.problems.join('\n')).toMatch(/duotoken.json: unknown key "bogus_key"/);
  });

  it('cross-checks: refresh must outlive access; HS256 needs 32 random bytes', () => {
    expect(() => parseConfig({ DUOTOKEN_ACCESS_TTL: '1h', DUOTOKEN_REFRESH_TTL: '30m' })).toThrow(/DUOTOKEN_REFRESH_TTL/);
    expect(() => parseConfig({ DUOTOKEN_JWT_ALG: 'HS256' })).toThrow(/DUOTOKEN_JWT_SECRET.*required/);
    expect(() => parseConfig({ DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: 'short-secret' })).toThrow(/at least 32/);
    expect(parseConfig({ DUOTOKEN_JWT_ALG: 'HS256', DUOTOKEN_JWT_SECRET: 'ab'.repeat(32) }).jwtAlg).toBe('HS256');
  });

  it('#17 an unknown DUOTOKEN_* variable stops start-up naming the closest known one (a typo never falls back to a default)', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({ DUOTOKEN_ACESS_TTL: '10s', DUOTOKEN_WHATEVER_ELSE_ENTIRELY: 'x', DUOTOKEN_PORT: '9000' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'DUOTOKEN_ACESS_TTL: unknown setting; did you mean DUOTOKEN_ACCESS_TTL?',
      'DUOTOKEN_WHATEVER_ELSE_ENTIRELY: unknown setting',
    ]);
    // Not settings: the config file's path, the test suite's service URLs, the console's dev proxy.
    expect(() =>
      parseConfig({ DUOTOKEN_TEST_PG_URL: 'postgres://x', DUOTOKEN_CONSOLE_API: 'http://x', DUOTOKEN_CONFIG: undefined }),
    ).not.toThrow();
  });

  it('#17 an unknown config-file key names the closest known key', () => {
    expect(() => parseConfig({}, { refersh_ttl: '7d' }, 'duotoken.json')).toThrow(
      /duotoken.json: unknown key "refersh_ttl"; did you mean "refresh_ttl"\?/,
    );
  });
});
