import { toPrincipal, type Principal } from '@duotoken/protocol';

/** The verified caller, as the framework adapters expose it (`req.auth`, `c.get('auth')`, `ctx.state.auth`): the server's principal. */
export type AuthInfo = Principal;

/** The AuthInfo of verified claims. */
export const toAuthInfo: (claims: Principal['claims']) => AuthInfo = toPrincipal;
