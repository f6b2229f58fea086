import { randomInt } from 'node:crypto';
import { bundledCaptchaFonts, type CaptchaFont } from './captcha-fonts.js';
import type { CaptchaProvider, DrawnCaptcha } from './captcha-provider.js';
import {
  bandAlong,
  between,
  boundsOf,
  dot,
  flattenOutline,
  mapPoints,
  pathData,
  type Point,
  type Polygon,
  type Random,
} from './outline-geometry.js';

/**
 * Characters of the default captcha. Left out, as a person would read them
 * for another: `0 o`, `1 i j l`, `2 z`, `5 s`, `6` (b), `8` (B), `9 g q`,
 * `v` (u). Answers are compared case-insensitively, so letters are drawn
 * in either case.
 */
export const CAPTCHA_CHARSET = 'abcdefhkmnprtuwxy347';

export interface DistortedCaptchaOptions {
  /** Characters per answer; default 4. */
  length?: number;
  /** Image size in pixels; default 160 × 60 (lin-cms-vue shows it 80 px wide). */
  width?: number;
  height?: number;
  /** Typefaces; default the bundled ones. */
  fonts?: CaptchaFont[];
  /** Randomness of the drawing (the answer itself always comes from `crypto.randomInt`); default `Math.random`. */
  random?: Random;
}

/**
 * The default captcha: each character in a typeface picked at random,
 * rotated, scaled, sheared and moved on its own, the glyphs overlapping,
 * the whole text bent by two waves; one or two bands as thick as the
 * strokes cross it, dots are sprinkled, and everything is drawn as one or
 * two paths of short straight pieces that start anywhere, so the SVG names
 * no glyph. It raises the
 * cost of an automated login; it does not stop a determined attacker (see
 * docs/security.md): a speed bump beside lockout and rate limits.
 */
export class DistortedCaptcha implements CaptchaProvider {
  private readonly length: number;
  private readonly width: number;
  private readonly height: number;
  private readonly fonts: CaptchaFont[];
  private readonly random: Random;

  constructor(options: DistortedCaptchaOptions = {}) {
    this.length = options.length ?? 4;
    this.width = options.width ?? 160;
    this.height = options.height ?? 60;
    this.fonts = options.fonts ?? bundledCaptchaFonts();
    this.random = options.random ?? Math.random;
    if (this.length < 1 || this.fonts.length === 0) throw new Error('a captcha needs a length and a font');
  }

  draw(): DrawnCaptcha {
    const answer = Array.from({ length: this.length }, () => CAPTCHA_CHARSET[randomInt(CAPTCHA_CHARSET.length)]!).join('');
    const r = this.random;
    const warp = this.warp();
    const glyphs = this.layOut(answer).map((g) => mapPoints(g, warp));
    const noise: Polygon[][] = [];
    // A band turning one way merges with the glyphs it crosses, the other way it cuts them out.
    for (let i = 0, n = r() < 0.5 ? 1 : 2; i < n; i++) noise.push(mapPoints([r() < 0.5 ? this.band() : this.band().reverse()], warp));
    for (let i = 0, n = 10 + Math.floor(r() * 12); i < n; i++)
      noise.push([dot([r() * this.width, r() * this.height], between(r, 0.6, 1.7), r)]);

    const hue = r() * 360;
    const inks = [
      hsl(hue + between(r, 90, 270), between(r, 50, 80), between(r, 18, 34)),
      hsl(hue + between(r, 0, 360), between(r, 50, 80), between(r, 22, 38)),
    ];
    // Items of both inks are shuffled together: an element of the SVG is never one glyph.
    const byInk: Polygon[][][] = [[], []];
    for (const item of shuffle([...glyphs, ...noise], r)) byInk[Math.floor(r() * 2)]!.push(item);
    const background = hsl(hue, between(r, 20, 50), between(r, 90, 97));
    const texture = Array.from({ length: 4 }, () =>
      this.textureLine(hsl(hue + between(r, -60, 60), between(r, 20, 50), between(r, 72, 84))),
    );
    const inked = byInk.map((items, i) => (items.length ? `<path fill="${inks[i]}" d="${pathData(items.flat(), r)}"/>` : '')).join('');
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">` +
      `<rect width="100%" height="100%" fill="${background}"/>${texture.join('')}${inked}</svg>`;
    return { answer, image: svg, mime: 'image/svg+xml' };
  }

  /** Each character's outline, transformed on its own and placed left to right, overlapping its neighbours. */
  private layOut(answer: string): Polygon[][] {
    const r = this.random;
    const placed: Array<{ polygons: Polygon[]; width: number; top: number; bottom: number; advance: number }> = [];
    for (const char of answer) {
      const { font } = this.fonts[Math.floor(r() * this.fonts.length)]!;
      const shown = /[a-z]/.test(char) && r() < 0.5 ? char.toUpperCase() : char;
      const size = this.height * between(r, 0.7, 0.88);
      const outline = flattenOutline(font.charToGlyph(shown).getPath(0, 0, size).commands, r);
      const [x0, y0, x1, y1] = boundsOf(outline);
      const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
      const angle = between(r, -0.35, 0.35);
      const shear = between(r, -0.25, 0.25);
      const [sx, sy] = [between(r, 0.8, 1.15), between(r, 0.85, 1.15)];
      const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
      const polygons = mapPoints(outline, ([x, y]) => {
        const u = (x - cx) * sx + (y - cy) * sy * shear;
        const v = (y - cy) * sy;
        return [u * cos - v * sin, u * sin + v * cos];
      });
      const [bx0, by0, bx1, by1] = boundsOf(polygons);
      placed.push({ polygons, width: bx1 - bx0, top: by0, bottom: by1, advance: (bx1 - bx0) * between(r, 0.84, 0.98) });
    }
    const total = placed.reduce((sum, g, i) => sum + (i === placed.length - 1 ? g.width : g.advance), 0);
    const margin = 6;
    const fit = Math.min(1, (this.width - 2 * margin) / total);
    let x = margin + r() * Math.max(0, this.width - 2 * margin - total * fit);
    return placed.map((g) => {
      const cx = x + (g.width * fit) / 2;
      // A little up or down, never out of the image (centred when it barely fits).
      const [low, high] = [margin / 2 - g.top * fit, this.height - margin / 2 - g.bottom * fit];
      const wanted = this.height / 2 + between(r, -0.1, 0.1) * this.height;
      const cy = low < high ? Math.min(high, Math.max(low, wanted)) : this.height / 2;
      x += g.advance * fit;
      return mapPoints(g.polygons, ([px, py]) => [cx + px * fit, cy + py * fit]);
    });
  }

  /** Two waves across the whole image: vertical displacement along x, horizontal along y. */
  private warp(): (p: Point) => Point {
    const r = this.random;
    const [ay, ly, py] = [between(r, 2, 4), between(r, 60, 110), r() * 2 * Math.PI];
    const [ax, lx, px] = [between(r, 1, 2.5), between(r, 25, 45), r() * 2 * Math.PI];
    return ([x, y]) => [x + ax * Math.sin((2 * Math.PI * y) / lx + px), y + ay * Math.sin((2 * Math.PI * x) / ly + py)];
  }

  /** A band across the text, as thick as a glyph's stroke, thicker and thinner along its way. */
  private band(): Polygon {
    const r = this.random;
    const [w, h] = [this.width, this.height];
    const points: Point[] = [
      [between(r, 0, 20), between(r, h * 0.25, h * 0.75)],
      [between(r, w * 0.2, w * 0.45), between(r, 0, h)],
      [between(r, w * 0.55, w * 0.8), between(r, 0, h)],
      [w - between(r, 0, 20), between(r, h * 0.25, h * 0.75)],
    ];
    const [thin, thick, phase] = [between(r, 1.6, 2.2), between(r, 2.4, 3.2), r() * 2 * Math.PI];
    const curve = (t: number): Point => {
      const u = 1 - t;
      const k = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
      return [k.reduce((s, c, i) => s + c * points[i]![0], 0), k.reduce((s, c, i) => s + c * points[i]![1], 0)];
    };
    return bandAlong(curve, (t) => thin + (thick - thin) * (0.5 + 0.5 * Math.sin(phase + t * 9)), 40);
  }

  /** A faint curve behind the text. */
  private textureLine(color: string): string {
    const r = this.random;
    const n = (v: number) => Math.round(v);
    const [w, h] = [this.width, this.height];
    return `<path d="M${n(r() * w)} ${n(r() * h)}Q${n(r() * w)} ${n(r() * h)} ${n(r() * w)} ${n(r() * h)}" stroke="${color}" stroke-width="${between(r, 1, 2).toFixed(1)}" fill="none"/>`;
  }
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** `#rrggbb` of a hue (degrees), saturation and lightness (percent). */
function hsl(hue: number, saturation: number, lightness: number): string {
  const h = (((hue % 360) + 360) % 360) / 360;
  const [s, l] = [saturation / 100, lightness / 100];
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number) => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    const v = u < 1 / 6 ? p + (q - p) * 6 * u : u < 1 / 2 ? q : u < 2 / 3 ? p + (q - p) * (2 / 3 - u) * 6 : p;
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}
