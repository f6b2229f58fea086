import express, { type Request, type Response } from 'express';
import { createExpressAuth } from '@duotoken/verify/express';
import { describeAdapter } from './helpers/adapter-conformance.js';
import { callerOf, serveNode } from './helpers/tiny-app.js';

describeAdapter('Express', async (verifier, dialect) => {
  const auth = createExpressAuth(verifier, { dialect });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const me = (req: Request, res: Response) => void res.json(callerOf(req.auth));
  app.get('/me', auth.requireAuth(), me);
  app.post('/me', auth.requireAuth(), me);
  app.get('/admin', auth.requireRole('admin'), me);
  app.get('/company', auth.requireCompany(), me);
  return serveNode(app);
});
