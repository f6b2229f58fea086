import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptchaProvider } from '../../src/auth/captcha/captcha-provider.js';
import { call, captchaAnswer } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { CaptchaSolver, type LabelledCaptcha } from './helpers/captcha-solver.js';
import { legacySvgCaptcha } from './helpers/legacy-svg-captcha.js';
import { startSecurityServer } from './helpers/security-server.js';

/** Images the attacker draws at home, with known answers, to learn the glyphs from. */
const TRAINING = 200;
/** Captchas read over HTTP. */
const TRIES = 100;
/** Where a person can look at samples of the default captcha (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../../../../e2e/artifacts/captcha/', import.meta.url));

/** What the attacker does with the open-source code: draw captchas with known answers. */
async function drawAtHome(provider: CaptchaProvider, count: number): Promise<LabelledCaptcha[]> {
  const samples: LabelledCaptcha[] = [];
  for (let i = 0; i < count; i++) {
    const { image, answer } = await provider.draw();
    samples.push({ svg: Buffer.from(image).toString('utf8'), answer: answer.toLowerCase() });
  }
  return samples;
}

/** get_t, then the captcha image over HTTP; the answer the server drew, read from its store for the tally. */
async function fetchCaptcha(server: TestServer): Promise<{ t: string; svg: string; answer: string }> {
  const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
  const svg = await (await server.fetch(`/auth/captcha?t=${t}`)).text();
  return { t, svg, answer: await captchaAnswer(server, t) };
}

/** Reads `tries` captchas served over HTTP; counts whole answers read, by each reader and by the solver. */
async function attack(server: TestServer, solver: CaptchaSolver, tries: number) {
  const tally = { paths: 0, raster: 0, solver: 0, logins: 0 };
  for (let i = 0; i < tries; i++) {
    const { t, svg, answer } = await fetchCaptcha(server);
    const read = solver.readEach(svg);
    if (read.paths === answer) tally.paths++;
    if (read.raster === answer) tally.raster++;
    if (read.solver !== answer) continue;
    tally.solver++;
    // The read answer is worth a login: the attacker's guess is the password, here the right one.
    const login = await call(server, 'POST', '/auth/login', {
      json: { account: ADMIN.account, password: ADMIN.password, t, captcha: read.solver },
    });
    if (login.status === 200) tally.logins++;
  }
  return tally;
}

/**
 * Finding #12.5 (CWE-804, guessable captcha; OWASP ASVS 5.0 V6.3 anti-automation):
 * a template-matching solver written in an afternoon read the captcha 200/200
 * offline and 20/20 live. The solver (helpers/captcha-solver.ts) learns glyphs
 * from images it draws itself with the server's captcha, as the attacker did
 * with the open-source code, then reads captchas served over HTTP.
 */
describe('#12.5 the default captcha against a template-matching solver', () => {
  let server: TestServer;
  let solver: CaptchaSolver;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    solver = CaptchaSolver.train(await drawAtHome(server.runtime.services.captcha, TRAINING));
  });
  afterAll(() => server.close());

  it('#12.5 a solver trained on 200 images of the default captcha reads fewer than 5 % of 100 served over HTTP (CWE-804)', async () => {
    const tally = await attack(server, solver, TRIES);
    expect(tally.solver, JSON.stringify(tally)).toBeLessThan(TRIES * 0.05);
  });

  it('samples of the default captcha are written to e2e/artifacts/captcha/ for a person to look at', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { svg, answer } = await fetchCaptcha(server);
      const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: false } }).render().asPng();
      writeFileSync(`${ARTIFACTS}default-${i}.png`, png);
      answers.push(`default-${i}.png ${answer}`);
      expect(svg).not.toContain(answer);
    }
    writeFileSync(`${ARTIFACTS}answers.txt`, `${answers.join('\n')}\n`);
  });
});

describe('#12.5 control: the same solver against the captcha before the fix, plugged in as a provider', () => {
  let server: TestServer;
  let solver: CaptchaSolver;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' }, { captcha: legacySvgCaptcha });
    solver = CaptchaSolver.train(await drawAtHome(legacySvgCaptcha, TRAINING));
  });
  afterAll(() => server.close());

  it('the solver is real: it reads at least 95 % of 40 pre-fix captchas served over HTTP and logs in with them', async () => {
    const tally = await attack(server, solver, 40);
    expect(tally.solver, JSON.stringify(tally)).toBeGreaterThanOrEqual(38);
    expect(tally.logins).toBe(tally.solver);
  });
});
