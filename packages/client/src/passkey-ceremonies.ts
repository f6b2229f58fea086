import type { WebAuthnCeremonies } from './mfa-types.js';

/**
 * `@simplewebauthn/browser`, imported on first use: a dynamic import keeps it
 * out of the SDK's entry, so Node users never load it and bundlers split it
 * into its own chunk.
 */
export function browserCeremonies(): WebAuthnCeremonies {
  const load = () => import('@simplewebauthn/browser');
  return {
    startRegistration: async (options) => (await load()).startRegistration(options),
    startAuthentication: async (options) => (await load()).startAuthentication(options),
  };
}
