// CommonJS TypeScript (moduleResolution node16): `require` of @duotoken/verify and @duotoken/protocol
// resolves to the CommonJS build and its types.
import { ERROR_CATALOGUE } from '@duotoken/protocol';
import { createVerifier } from '@duotoken/verify';
import { createExpressAuth } from '@duotoken/verify/express';

// @ts-expect-error a wire code is a string
const wrongWire: number = ERROR_CATALOGUE.REFRESH_TOKEN_INVALID.wire;
const verifier = createVerifier({ issuer: 'duotoken', audience: 'duotoken', jwksUrl: 'https://auth.example.com/.well-known/jwks.json' });
// @ts-expect-error the adapters take a verifier
createExpressAuth('not a verifier');
export const used = [wrongWire, verifier];
