import { SUCCESS_CODE, SUCCESS_MESSAGE, type AccessTokenClaims, type Language } from '@duotoken/protocol';
import { identityHeadersOf } from '../../http/identity-headers.js';
import type { Principal } from '../../sessions/access-guard.js';

/** The `200` of `GET /auth/verify` for one principal: the x-auth-* headers and the envelope, as JSON text. */
export interface ForwardAuthAnswer {
  headers: Record<string, string>;
  body: Record<Language, string>;
}

/** Keyed by the verified claims object, which lives as long as the token's entry in the verified-token cache. */
const answers = new WeakMap<AccessTokenClaims, ForwardAuthAnswer>();

/**
 * What `/auth/verify` answers for a principal. A forward-auth proxy asks about
 * the same token on every request it passes, and the answer depends on the
 * token's claims alone (the session fence was checked before), so it is built
 * once per verified token instead of per request: header values and the
 * serialized envelope were most of what a session check cost beyond
 * `/healthz` (bench/: protected ÷ unauthenticated route).
 */
export function forwardAuthAnswer(p: Principal): ForwardAuthAnswer {
  const known = answers.get(p.claims);
  if (known) return known;
  const data = { user_id: p.userId, company_id: p.companyId, session_id: p.sessionId, roles: p.roles, amr: p.amr, auth_time: p.authTime };
  const answer: ForwardAuthAnswer = {
    headers: identityHeadersOf(p),
    body: {
      zh: JSON.stringify({ code: SUCCESS_CODE, msg: SUCCESS_MESSAGE.zh, data }),
      en: JSON.stringify({ code: SUCCESS_CODE, msg: SUCCESS_MESSAGE.en, data }),
    },
  };
  answers.set(p.claims, answer);
  return answer;
}
