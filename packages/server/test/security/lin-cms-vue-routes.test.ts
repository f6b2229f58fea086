import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../conformance/dialect-fixtures.js';
import { send, type RawAnswer } from '@duotoken/test-kit/send';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { startSecurityServer } from './helpers/security-server.js';

type Pair = { access_token: string; refresh_token: string };
type LinBody = { code: number; message: string; request: string };
const USER = { username: 'lena', password: 'lena old password' };

/**
 * Finding #12.12: lin-cms-vue's login page calls `POST /cms/user/captcha` on
 * mount and its password dialog `PUT /cms/user/change_password`; both
 * answered 404, and the lin-cms login took no captcha at all, so mounting
 * lin-cms opened a login without one beside the standard login's (CWE-307).
 */
describe('#12.12 lin-cms-vue captcha and password change, captcha policy always', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_DIALECTS: 'standard,lin-cms', DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    await createUser(server, USER.username, USER.password);
  });
  afterAll(() => server.close());

  const captcha = async () => {
    const res = await send<{ tag: string; image: string }>(server, 'POST', '/cms/user/captcha');
    return { res, answer: res.status === 200 ? await captchaAnswer(server, res.body.tag) : undefined };
  };
  const login = (body: Record<string, string>, tag?: string): Promise<RawAnswer<Pair & LinBody>> =>
    send(server, 'POST', '/cms/user/login', { json: body, headers: tag === undefined ? {} : { tag } });
  const refused = (res: RawAnswer<LinBody>) => [res.status, res.body.code, res.body.request];

  it("#12.12 POST /cms/user/captcha answers lin-cms's { tag, image }; a lin-cms login without that captcha's answer is refused (10260), with it it passes, once", async () => {
    const { res, answer } = await captcha();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tag: expect.any(String), image: expect.stringMatching(/^data:image\/svg\+xml;base64,/) });

    expect(refused(await login(USER))).toEqual([400, 10260, 'POST /cms/user/login']);
    expect(refused(await login({ ...USER, captcha: 'zzzz' }, res.body.tag))).toEqual([400, 10260, 'POST /cms/user/login']);
    // The wrong answer used the tag up: its right answer comes too late.
    expect(refused(await login({ ...USER, captcha: answer! }, res.body.tag))).toEqual([400, 10260, 'POST /cms/user/login']);

    const next = await captcha();
    const ok = await login({ ...USER, captcha: next.answer!.toUpperCase() }, next.res.body.tag);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(refused(await login({ ...USER, captcha: next.answer! }, next.res.body.tag))).toEqual([400, 10260, 'POST /cms/user/login']);
  });

  it('#12.12 PUT /cms/user/change_password checks the old password, changes it through the shared service and ends the other sessions', async () => {
    const signIn = async (password: string) => {
      const { res, answer } = await captcha();
      return (await login({ username: USER.username, password, captcha: answer! }, res.body.tag)).body;
    };
    const [here, elsewhere] = [await signIn(USER.password), await signIn(USER.password)];
    const change = (body: Record<string, string>, token = here.access_token) =>
      send<LinBody>(server, 'PUT', '/cms/user/change_password', { json: body, headers: { authorization: `Bearer ${token}` } });
    const NEW = 'lena new password';

    expect(refused(await change({ old_password: 'not her password', new_password: NEW, confirm_password: NEW }))).toEqual([
      400,
      10032,
      'PUT /cms/user/change_password',
    ]);
    expect((await change({ old_password: USER.password, new_password: NEW, confirm_password: `${NEW}!` })).body.code).toBe(10030);
    expect((await send(server, 'PUT', '/cms/user/change_password', { json: { old_password: USER.password } })).body.code).toBe(10000);

    const done = await change({ old_password: USER.password, new_password: NEW, confirm_password: NEW });
    expect([done.status, done.body]).toEqual([201, { code: 4, message: expect.any(String), request: 'PUT /cms/user/change_password' }]);
    const information = (token: string) =>
      send<LinBody>(server, 'GET', '/cms/user/information', { headers: { authorization: `Bearer ${token}` } });
    expect((await information(here.access_token)).status).toBe(200);
    expect(refused(await information(elsewhere.access_token))).toEqual([401, 10050, 'GET /cms/user/information']);
    expect((await signIn(NEW)).access_token).toEqual(expect.any(String));
    expect((await signIn(USER.password)).code).toBe(10031);
  });
});
