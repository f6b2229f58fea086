import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/test-server.js';
import { startSecurityServer } from './helpers/security-server.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values.join(' '));
  }
  return out;
}

describe('the API documentation page (/docs) is locked down like the console (#12.10)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer();
  });
  afterAll(() => server.close());

  it('#12.10 every /docs answer forbids framing and loads scripts, styles and data from its own origin only (CSP, CWE-1021)', async () => {
    for (const path of ['/docs', '/docs/', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui-bundle.js', '/docs/json']) {
      const res = await server.fetch(path, { redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.status, path).toBeLessThan(400);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('frame-ancestors'), path).toBe("'none'");
      expect(csp.get('default-src'), path).toBe("'self'");
      expect(csp.get('script-src'), path).toBe("'self'");
      expect(csp.get('connect-src'), path).toBe("'self'");
      expect(csp.get('object-src'), path).toBe("'none'");
      expect(csp.get('base-uri'), path).toBe("'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });
});
