import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { send } from '@duotoken/test-kit/send';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { createUser } from './dialect-fixtures.js';
import { LinCmsLoginError, LinCmsVueClient } from './lin-cms-vue-client.js';

/**
 * lin-cms-vue's login page and password dialog (src/view/login/use-login.js,
 * src/model/user.js), replayed over real HTTP under each DUOTOKEN_CAPTCHA
 * policy: `POST /cms/user/captcha` on mount and after each failure, the
 * answer in the body, the `tag` header, `PUT /cms/user/change_password`.
 */

const HOUR = 3600;
const USER = { username: 'ming', password: 'ming lin-cms password' };

async function loginFails(client: LinCmsVueClient, username: string, password: string, typed?: string): Promise<number> {
  try {
    await client.login(username, password, typed);
  } catch (error) {
    if (error instanceof LinCmsLoginError) return error.code;
    throw error;
  }
  throw new Error('the login passed');
}

describe('DUOTOKEN_CAPTCHA=always (the default)', { shuffle: true }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_DIALECTS: 'lin-cms', DUOTOKEN_ACCESS_TTL: '1h', DUOTOKEN_LOCKOUT_THRESHOLD: '5' });
    await createUser(server, USER.username, USER.password);
  });
  afterAll(() => server.close());

  it('on mount the page gets { tag, image }, shows an SVG an <img> can load, and logs in with the typed answer and the tag header', async () => {
    const client = new LinCmsVueClient(server);
    await client.mount();
    const [head, base64] = client.captcha.image.split(',');
    expect(head).toBe('data:image/svg+xml;base64');
    expect(Buffer.from(base64!, 'base64').toString('utf8')).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="160" height="60"/,
    );
    await client.login(USER.username, USER.password);
    expect(await client.get('cms/user/permissions')).toMatchObject({ username: USER.username });
  });

  it('a wrong captcha shows 10260 and a new captcha is drawn; with it, the right password logs in', async () => {
    const client = new LinCmsVueClient(server);
    await client.mount();
    const first = client.captcha.tag;
    expect(await loginFails(client, USER.username, USER.password, 'nope')).toBe(10260);
    expect(client.captchaRequests).toBe(2);
    expect(client.captcha.tag).not.toBe(first);
    await client.login(USER.username, USER.password);
    expect(client.accessToken).toBeTruthy();
  });

  it('a wrong password with the right captcha is 10031, a stale tag (page open past the challenge lifetime) 10260', async () => {
    const client = new LinCmsVueClient(server);
    expect(await loginFails(client, USER.username, 'not the password')).toBe(10031);
    const answer = await captchaAnswer(server, client.captcha.tag);
    server.clock.advance(301);
    expect(await loginFails(client, USER.username, USER.password, answer)).toBe(10260);
    await client.login(USER.username, USER.password);
  });

  it('the password dialog changes the password after a refresh on 10051, keeps this session, and the old password no longer logs in', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    server.clock.advance(HOUR + 1);
    const NEW = 'ming new lin-cms password';
    expect(await client.changePassword(USER.password, NEW)).toEqual({
      code: 4,
      message: '密码修改成功',
      request: 'PUT /cms/user/change_password',
    });
    expect(client.seenCodes).toEqual([10051]);
    expect(await client.get('cms/user/information')).toMatchObject({ username: USER.username });
    expect(await loginFails(new LinCmsVueClient(server), USER.username, USER.password)).toBe(10031);
    await new LinCmsVueClient(server).login(USER.username, NEW);
    await client.changePassword(NEW, USER.password);
  });

  it('a password the policy refuses is 10030 naming new_password (shown as a message)', async () => {
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    await expect(client.changePassword(USER.password, 'short')).rejects.toThrow(/10030: .*new_password/);
  });
});

describe('DUOTOKEN_CAPTCHA=after-failures', { shuffle: true }, () => {
  let server: TestServer;
  // A server per test: the failures one test makes (of the account and of the address) are none of the other's.
  beforeEach(async () => {
    server = await startTestServer({
      DUOTOKEN_DIALECTS: 'lin-cms',
      DUOTOKEN_CAPTCHA: 'after-failures',
      DUOTOKEN_CAPTCHA_AFTER_FAILURES: '3',
    });
    await createUser(server, USER.username, USER.password);
  });
  afterEach(() => server.close());

  it('a captcha is drawn and shown, but a blank one logs in while neither the account nor the address has failed', async () => {
    const client = new LinCmsVueClient(server);
    await client.mount();
    expect(client.captcha.image).toMatch(/^data:image\/svg\+xml;base64,/);
    await client.login(USER.username, USER.password, '');
  });

  it('after 3 failures of the account a blank captcha is 10260; the shown answer lets the right password in', async () => {
    const client = new LinCmsVueClient(server);
    for (let i = 0; i < 3; i++) expect(await loginFails(client, USER.username, 'wrong password', '')).toBe(10031);
    expect(await loginFails(client, USER.username, USER.password, '')).toBe(10260);
    await client.login(USER.username, USER.password);
  });
});

describe('DUOTOKEN_CAPTCHA=off', { shuffle: true }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_DIALECTS: 'lin-cms', DUOTOKEN_CAPTCHA: 'off' });
    await createUser(server, USER.username, USER.password);
  });
  afterAll(() => server.close());

  it('POST /cms/user/captcha answers { tag: null, image: null }, as lin-cms with its captcha disabled: no field shown, username and password log in', async () => {
    const res = await send(server, 'POST', '/cms/user/captcha');
    expect([res.status, res.body]).toEqual([200, { tag: null, image: null }]);
    const client = new LinCmsVueClient(server);
    await client.login(USER.username, USER.password);
    expect(client.captcha).toEqual({ tag: '', image: '' });
  });
});
