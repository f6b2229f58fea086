import svgCaptcha from 'svg-captcha';
import type { CaptchaProvider } from '../../../src/auth/captcha/captcha-provider.js';

/**
 * The captcha duotoken drew before finding #12.5 (svg-captcha 1.4, one
 * font at one size, each character one `<path>` jittered by ±0.1 px), as a
 * plugged-in provider: the solver's control, and an example of plugging one.
 */
export const legacySvgCaptcha: CaptchaProvider = {
  draw() {
    const { text, data } = svgCaptcha.create({ size: 4, ignoreChars: '0oO1lIi', noise: 2, color: true });
    return { answer: text, image: data, mime: 'image/svg+xml' };
  },
};
