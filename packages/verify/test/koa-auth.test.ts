import Koa, { type Middleware } from 'koa';
import { createKoaAuth } from '@duotoken/verify/koa';
import { describeAdapter } from './helpers/adapter-conformance.js';
import { callerOf, serveNode } from './helpers/tiny-app.js';

/** A minimal urlencoded body parser (what @koa/bodyparser would do), so the form source is exercised. */
const formBody: Middleware = async (ctx, next) => {
  if (ctx.is('application/x-www-form-urlencoded')) {
    let text = '';
    for await (const chunk of ctx.req) text += String(chunk);
    (ctx.request as { body?: unknown }).body = Object.fromEntries(new URLSearchParams(text));
  }
  await next();
};

describeAdapter('Koa', async (verifier, dialect) => {
  const auth = createKoaAuth(verifier, { dialect });
  const routes: Record<string, Middleware> = {
    'GET /me': auth.requireAuth(),
    'POST /me': auth.requireAuth(),
    'GET /admin': auth.requireRole('admin'),
    'GET /company': auth.requireCompany(),
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
});
