import { describe, expect, it } from 'vitest';
import { captchaAnswerMatches, normaliseCaptchaAnswer } from '../../../src/auth/captcha/captcha-answer.js';
import { captchaDataUrl } from '../../../src/auth/captcha/captcha-provider.js';
import { CAPTCHA_CHARSET, DistortedCaptcha } from '../../../src/auth/captcha/distorted-captcha.js';

describe('DistortedCaptcha', () => {
  const captcha = new DistortedCaptcha();

  it('draws 4 characters of its charset as an SVG that contains no text, only path outlines', () => {
    const { answer, image, mime } = captcha.draw();
    expect(answer).toMatch(new RegExp(`^[${CAPTCHA_CHARSET}]{4}$`));
    expect(mime).toBe('image/svg+xml');
    expect(image).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="160" height="60"/);
    expect(image).not.toMatch(/<text|font-family|<use|transform=/);
    // Every glyph outline is flattened to straight pieces: no curve commands left to recognise a glyph by.
    const inked = [...String(image).matchAll(/<path fill="[^"]+" d="([^"]+)"/g)].map((m) => m[1]!);
    expect(inked.length).toBeGreaterThan(0);
    for (const d of inked) expect(d).toMatch(/^[ML0-9. Z-]+$/);
  });

  it('draws a different picture each time, also for the same answer', () => {
    const images = new Set(Array.from({ length: 20 }, () => captcha.draw().image));
    expect(images.size).toBe(20);
  });

  it('takes its drawing randomness from the option (the answer still comes from crypto)', () => {
    const background = (image: unknown) => /<rect width="100%" height="100%" fill="(#[0-9a-f]{6})"/.exec(String(image))?.[1];
    const fixed = new DistortedCaptcha({ random: () => 0.5 });
    const drawn = Array.from({ length: 5 }, () => fixed.draw());
    expect(new Set(drawn.map((d) => background(d.image))).size).toBe(1);
    expect(new Set(drawn.map((d) => d.answer)).size).toBeGreaterThan(1);
    expect(new Set(Array.from({ length: 5 }, () => background(captcha.draw().image))).size).toBeGreaterThan(1);
  });

  it('honours length and size', () => {
    const { answer, image } = new DistortedCaptcha({ length: 6, width: 200, height: 70 }).draw();
    expect(answer).toHaveLength(6);
    expect(image).toContain('width="200" height="70" viewBox="0 0 200 70"');
  });
});

describe('captcha answers', () => {
  it('match case-insensitively, full-width and padded forms included; anything else does not', () => {
    expect(normaliseCaptchaAnswer(' Ａb3K ')).toBe('ab3k');
    expect(captchaAnswerMatches('ab3k', 'AB3K')).toBe(true);
    expect(captchaAnswerMatches('ab3k', ' ａｂ３ｋ ')).toBe(true);
    expect(captchaAnswerMatches('ab3k', 'ab3')).toBe(false);
    expect(captchaAnswerMatches('ab3k', 'ab3kk')).toBe(false);
    expect(captchaAnswerMatches('ab3k', undefined)).toBe(false);
    expect(captchaAnswerMatches('ab3k', 42)).toBe(false);
    expect(captchaAnswerMatches('ab3k', 'x'.repeat(10_000))).toBe(false);
  });

  it('an image becomes a data: URL of its media type', () => {
    expect(captchaDataUrl({ image: '<svg/>', mime: 'image/svg+xml' })).toBe('data:image/svg+xml;base64,PHN2Zy8+');
    expect(captchaDataUrl({ image: new Uint8Array([137, 80]), mime: 'image/png' })).toBe('data:image/png;base64,iVA=');
  });
});
