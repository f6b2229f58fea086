import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createHonoAuth, type DuotokenEnv } from '@duotoken/verify/hono';
import { describeAdapter } from './helpers/adapter-conformance.js';
import { callerOf } from './helpers/tiny-app.js';

describeAdapter('Hono', async (verifier, dialect) => {
  const auth = createHonoAuth(verifier, { dialect });
  const app = new Hono<DuotokenEnv>();
  app.get('/me', auth.requireAuth(), (c) => c.json(callerOf(c.get('auth'))));
  app.post('/me', auth.requireAuth(), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/admin', auth.requireRole('admin'), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/company', auth.requireCompany(), (c) => c.json(callerOf(c.get('auth'))));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
});
