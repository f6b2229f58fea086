import svgCaptcha from 'svg-captcha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, captchaAnswer } from '../helpers/standard-client.js';
import type { TestServer } from '../helpers/test-server.js';
import { CaptchaSolver, type LabelledCaptcha } from './helpers/captcha-solver.js';
import { startSecurityServer } from './helpers/security-server.js';

/** Images the attacker draws at home, with known answers, to learn the glyphs from. */
const TRAINING = 200;
/** Captchas read over HTTP. */
const TRIES = 100;

// PRE-FIX RUN ONLY: the default captcha as challenge-service.ts draws it today.
const drawDefault = (): LabelledCaptcha => {
  const c = svgCaptcha.create({ size: 4, ignoreChars: '0oO1lIi', noise: 2, color: true });
  return { svg: c.data, answer: c.text.toLowerCase() };
};

/** get_t, then the captcha image over HTTP; the answer the server drew, read from its store for the tally. */
async function fetchCaptcha(server: TestServer): Promise<{ t: string; svg: string; answer: string }> {
  const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
  const svg = await (await server.fetch(`/auth/captcha?t=${t}`)).text();
  return { t, svg, answer: await captchaAnswer(server, t) };
}

/**
 * Finding #12.5 (CWE-804, guessable captcha; OWASP ASVS 5.0 V6.3 anti-automation):
 * a template-matching solver written in an afternoon read the captcha 200/200
 * offline and 20/20 live. The solver (helpers/captcha-solver.ts) learns glyphs
 * from images it draws itself with the default captcha, as the attacker did
 * with the open-source code, then reads captchas served over HTTP.
 */
describe('#12.5 the default captcha against a template-matching solver', () => {
  let server: TestServer;
  let solver: CaptchaSolver;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    solver = CaptchaSolver.train(Array.from({ length: TRAINING }, drawDefault));
  });
  afterAll(() => server.close());

  it('#12.5 a solver trained on 200 images of the default captcha reads fewer than 5 % of 100 served over HTTP (CWE-804)', async () => {
    const tally = { paths: 0, raster: 0, solver: 0 };
    for (let i = 0; i < TRIES; i++) {
      const { svg, answer } = await fetchCaptcha(server);
      if (solver.paths.read(svg, solver.length) === answer) tally.paths++;
      if (solver.raster.read(svg, solver.length) === answer) tally.raster++;
      if (solver.read(svg) === answer) tally.solver++;
    }
    expect(tally.solver, JSON.stringify(tally)).toBeLessThan(TRIES * 0.05);
  });
});
