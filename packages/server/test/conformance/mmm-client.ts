import type { MmmTokenPair } from '@duotoken/protocol';
import type { TestServer } from '../helpers/test-server.js';
import { send, type RawAnswer } from '@duotoken/test-kit/send';

/** An mmm envelope answer. */
export type MmmAnswer<T = unknown> = RawAnswer<{ code: string; msg: string; data: T }>;

/**
 * A seed-002 client that never calls the refresh endpoint: it sends both
 * headers on every request, applies the pair of a 10026 answer and resends
 * once, and on 10024 drops its tokens ("退出重新登录").
 */
export class MmmClient {
  pair: MmmTokenPair | undefined;
  loggedOut = false;
  renewals = 0;

  constructor(private readonly server: TestServer) {}

  async login(account: string, password: string): Promise<MmmTokenPair> {
    const res = await send<{ code: string; data: MmmTokenPair }>(this.server, 'POST', '/auth/login', { json: { account, password } });
    if (res.body.code !== '00000') throw new Error(`mmm login failed: ${JSON.stringify(res.body)}`);
    this.pair = res.body.data;
    this.loggedOut = false;
    return this.pair;
  }

  /** Calls a protected route; the answer the application finally sees. */
  async call<T = unknown>(method: string, path: string, json?: unknown): Promise<MmmAnswer<T>> {
    let res: MmmAnswer<T> | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = {};
      if (this.pair) {
        headers['x-mmm-accesstoken'] = this.pair.access_token;
        headers['x-mmm-refreshtoken'] = this.pair.refresh_token;
      }
      res = await send(this.server, method, path, { headers, ...(json === undefined ? {} : { json }) });
      if (res.body.code === '10026') {
        this.renewals += 1;
        this.pair = res.body.data as MmmTokenPair;
        continue;
      }
      if (res.body.code === '10024') {
        this.loggedOut = true;
        this.pair = undefined;
      }
      return res;
    }
    return res!;
  }
}
