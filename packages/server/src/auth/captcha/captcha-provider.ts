/** One drawn captcha: what the person must type, and the picture that shows it. */
export interface DrawnCaptcha {
  /** The text to type. Compared after `normaliseCaptchaAnswer` (case, width and spaces do not matter). */
  answer: string;
  /** The image: bytes, or text for an SVG. */
  image: string | Uint8Array;
  /** Its media type: `image/svg+xml`, `image/png`, … */
  mime: string;
}

/**
 * Draws the captchas bound to login challenges (`GET /auth/captcha`,
 * `POST /cms/user/captcha`). The challenge service keeps the answer and
 * checks it (case-insensitively, in constant time); a provider only draws.
 * The default is `DistortedCaptcha`; a deployment plugs another one in
 * where the services are wired:
 *
 * @example
 * const captcha: CaptchaProvider = { draw: () => ({ answer: '7', image: svgOf('3 + 4'), mime: 'image/svg+xml' }) };
 * const runtime = await createRuntime(config, { captcha });
 */
export interface CaptchaProvider {
  draw(): DrawnCaptcha | Promise<DrawnCaptcha>;
}

/** The image as a `data:` URL, as `format=json` and lin-cms's `image` field carry it. */
export function captchaDataUrl(drawn: Pick<DrawnCaptcha, 'image' | 'mime'>): string {
  const bytes = typeof drawn.image === 'string' ? Buffer.from(drawn.image, 'utf8') : Buffer.from(drawn.image);
  return `data:${drawn.mime};base64,${bytes.toString('base64')}`;
}
