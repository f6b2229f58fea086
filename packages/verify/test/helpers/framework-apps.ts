import formbody from '@fastify/formbody';
import { serve } from '@hono/node-server';
import express, { type Request, type Response } from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa, { type Middleware } from 'koa';
import type { AddressInfo } from 'node:net';
import { createExpressAuth } from '@duotoken/verify/express';
import { fastifyAuth } from '@duotoken/verify/fastify';
import { createHonoAuth, type DuotokenEnv } from '@duotoken/verify/hono';
import { createKoaAuth } from '@duotoken/verify/koa';
import { callerOf, serveNode, type TinyApp, type TinyAppFactory } from './tiny-app.js';

const expressApp: TinyAppFactory = async (verifier, dialect) => {
  const auth = createExpressAuth(verifier, { dialect });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const me = (req: Request, res: Response) => void res.json(callerOf(req.auth));
  app.get('/me', auth.requireAuth(), me);
  app.post('/me', auth.requireAuth(), me);
  app.get('/admin', auth.requireRole('admin'), me);
  app.get('/company', auth.requireCompany(), me);
  app.get('/mfa', auth.requireMfa(), me);
  app.get('/recent', auth.requireRecentAuth(300), me);
  return serveNode(app);
};

const fastifyApp: TinyAppFactory = async (verifier, dialect) => {
  const app = Fastify();
  await app.register(formbody);
  await app.register(fastifyAuth, { verifier, dialect });
  const me = async (request: { auth: Parameters<typeof callerOf>[0] }) => callerOf(request.auth);
  app.get('/me', { preValidation: app.duotoken.requireAuth() }, me);
  app.post('/me', { preValidation: app.duotoken.requireAuth() }, me);
  app.get('/admin', { preValidation: app.duotoken.requireRole('admin') }, me);
  app.get('/company', { preValidation: app.duotoken.requireCompany() }, me);
  app.get('/mfa', { preValidation: app.duotoken.requireMfa() }, me);
  app.get('/recent', { preValidation: app.duotoken.requireRecentAuth(300) }, me);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
};

const honoApp: TinyAppFactory = (verifier, dialect) => {
  const auth = createHonoAuth(verifier, { dialect });
  const app = new Hono<DuotokenEnv>();
  app.get('/me', auth.requireAuth(), (c) => c.json(callerOf(c.get('auth'))));
  app.post('/me', auth.requireAuth(), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/admin', auth.requireRole('admin'), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/company', auth.requireCompany(), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/mfa', auth.requireMfa(), (c) => c.json(callerOf(c.get('auth'))));
  app.get('/recent', auth.requireRecentAuth(300), (c) => c.json(callerOf(c.get('auth'))));
  return new Promise<TinyApp>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
};

/** A minimal urlencoded body parser (what @koa/bodyparser would do), so the form source is exercised. */
const formBody: Middleware = async (ctx, next) => {
  if (ctx.is('application/x-www-form-urlencoded')) {
    let text = '';
    for await (const chunk of ctx.req) text += String(chunk);
    (ctx.request as { body?: unknown }).body = Object.fromEntries(new URLSearchParams(text));
  }
  await next();
};

const koaApp: TinyAppFactory = async (verifier, dialect) => {
  const auth = createKoaAuth(verifier, { dialect });
  const routes: Record<string, Middleware> = {
    'GET /me': auth.requireAuth(),
    'POST /me': auth.requireAuth(),
    'GET /admin': auth.requireRole('admin'),
    'GET /company': auth.requireCompany(),
    'GET /mfa': auth.requireMfa(),
    'GET /recent': auth.requireRecentAuth(300),
  };
  const app = new Koa();
  app.use(formBody);
  app.use(async (ctx, next) => {
    const guard = routes[`${ctx.method} ${ctx.path}`];
    if (!guard) return next();
    await guard(ctx, async () => {
      ctx.body = callerOf(ctx.state.auth);
    });
  });
  return serveNode(app.callback());
};

/**
 * The tiny app of each framework, built with its adapter: `GET /me` and
 * `POST /me` (form body) behind `requireAuth()`, answering
 * `{ userId, companyId, roles, sessionId }`; `GET /admin` behind
 * `requireRole('admin')`; `GET /company` behind `requireCompany()`;
 * `GET /mfa` behind `requireMfa()`; `GET /recent` behind `requireRecentAuth(300)`.
 */
export const FRAMEWORK_APPS = { Express: expressApp, Fastify: fastifyApp, Hono: honoApp, Koa: koaApp } as const;
