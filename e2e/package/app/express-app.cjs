// An Express app as teams write them: CommonJS, `require`.
const express = require('express');
const { createVerifier } = require('@duotoken/verify');
const { createExpressAuth } = require('@duotoken/verify/express');

const verifier = createVerifier({ issuer: 'duotoken', audience: 'duotoken', jwksUrl: `${process.env.AUTH_URL}/.well-known/jwks.json` });
const auth = createExpressAuth(verifier);
const app = express();
app.get('/orders', auth.requireAuth(), (req, res) => res.json({ user: req.auth.userId }));
const server = app.listen(0, '127.0.0.1', () =>
  console.log(JSON.stringify({ port: server.address().port, loaded: require.resolve('@duotoken/verify/express') })),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
