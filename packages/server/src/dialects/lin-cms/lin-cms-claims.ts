/**
 * The claims lin-cms puts in its access tokens (lin-cms-koa `createAccessToken`):
 * `identity` (the user id), `scope: "lin"` and `type: "access"`, so services
 * that read lin-cms tokens find them in duotoken's. They ride beside the
 * registered claims, never instead of them (`sub`, `uid` stay authoritative).
 *
 * @example linCmsClaims(7) // { identity: 7, scope: 'lin', type: 'access' }
 */
export function linCmsClaims(userId: number): Record<string, unknown> {
  return { identity: userId, scope: 'lin', type: 'access' };
}
