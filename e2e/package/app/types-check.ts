// Compiled with moduleResolution node16 (as .mts and .cts copies), bundler and node (node10): every
// public entry point must resolve to real types (an `any` would leave the @ts-expect-error lines unused).
import { ERROR_CATALOGUE } from '@duotoken/protocol';
import { createAuthClient } from '@duotoken/client';
import { attachAuthClient } from '@duotoken/client/axios';
import { createVerifier } from '@duotoken/verify';
import { createExpressAuth } from '@duotoken/verify/express';
import { createFastifyAuthHooks } from '@duotoken/verify/fastify';
import { createHonoAuth } from '@duotoken/verify/hono';
import { createKoaAuth } from '@duotoken/verify/koa';
import { parseConfig } from '@duotoken/server';

const wire: string = ERROR_CATALOGUE.REFRESH_TOKEN_INVALID.wire;
// @ts-expect-error a wire code is a string
const wrongWire: number = ERROR_CATALOGUE.REFRESH_TOKEN_INVALID.wire;
const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
// @ts-expect-error login needs credentials
void auth.login();
const verifier = createVerifier({ issuer: 'duotoken', audience: 'duotoken', jwksUrl: 'https://auth.example.com/.well-known/jwks.json' });
// @ts-expect-error the adapters take a verifier
createExpressAuth('not a verifier');
export const used = [wire, wrongWire, attachAuthClient, createFastifyAuthHooks, createHonoAuth, createKoaAuth, parseConfig, verifier];
