import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { fastifyAuth } from '@duotoken/verify/fastify';
import { describeAdapter } from './helpers/adapter-conformance.js';
import { callerOf } from './helpers/tiny-app.js';

describeAdapter('Fastify', async (verifier, dialect) => {
  const app = Fastify();
  await app.register(formbody);
  await app.register(fastifyAuth, { verifier, dialect });
  const me = async (request: { auth: Parameters<typeof callerOf>[0] }) => callerOf(request.auth);
  app.get('/me', { preValidation: app.duotoken.requireAuth() }, me);
  app.post('/me', { preValidation: app.duotoken.requireAuth() }, me);
  app.get('/admin', { preValidation: app.duotoken.requireRole('admin') }, me);
  app.get('/company', { preValidation: app.duotoken.requireCompany() }, me);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
});
