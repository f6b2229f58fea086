import { Resvg } from '@resvg/resvg-js';

/** A grey image: `ink[y * width + x]` in 0..1, 1 where something differs most from the background. */
export interface InkImage {
  width: number;
  height: number;
  ink: Float32Array;
}

/** Side of the square a glyph is scaled into before it is compared. */
export const GLYPH_SIDE = 16;

/**
 * Rasterises an SVG captcha at a fixed height (as an attacker's script does
 * with any SVG renderer) and turns it into ink: the colour distance of each
 * pixel from the background, which is estimated from the border pixels, so
 * dark text on light, light on dark and any colour all read the same way.
 */
export function rasterise(svg: string, height = 60): InkImage {
  const rendered = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'height', value: height },
    font: { loadSystemFonts: false },
  }).render();
  const width = rendered.width;
  const h = rendered.height;
  const pixels = rendered.pixels; // a getter that copies: read once
  const border: number[][] = [[], [], []];
  const edge = (x: number, y: number) => {
    for (let c = 0; c < 3; c++) border[c]!.push(pixels[(y * width + x) * 4 + c]!);
  };
  for (let x = 0; x < width; x++) {
    edge(x, 0);
    edge(x, h - 1);
  }
  for (let y = 0; y < h; y++) {
    edge(0, y);
    edge(width - 1, y);
  }
  const [r0, g0, b0] = border.map((values) => values.sort((a, b) => a - b)[values.length >> 1]!) as [number, number, number];
  const ink = new Float32Array(width * h);
  for (let i = 0; i < ink.length; i++) {
    const dr = pixels[i * 4]! - r0;
    const dg = pixels[i * 4 + 1]! - g0;
    const db = pixels[i * 4 + 2]! - b0;
    ink[i] = Math.min(1, Math.sqrt(dr * dr + dg * dg + db * db) / 153);
  }
  return { width, height: h, ink };
}

/** Grey-scale opening (erosion then dilation, 3 × 3): strokes 2 px thin or less, such as noise lines, vanish. */
export function open3(image: InkImage): InkImage {
  return filter3(filter3(image, 'min'), 'max');
}

function filter3(image: InkImage, kind: 'min' | 'max'): InkImage {
  const { width, height, ink } = image;
  const out = new Float32Array(ink.length);
  const min = kind === 'min';
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let v = min ? Infinity : -Infinity;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++)
        for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) {
          const p = ink[yy * width + xx]!;
          v = min ? (p < v ? p : v) : p > v ? p : v;
        }
      out[y * width + x] = v;
    }
  return { width, height, ink: out };
}

/** Where the text can be cut into `count` glyphs: its extent, and for each inner cut the columns worth trying. */
export interface CutCandidates {
  left: number;
  right: number;
  /** `inner[k]`: columns for the cut between glyph k and k + 1, emptiest first. */
  inner: number[][];
}

/**
 * The ink's horizontal extent is split evenly into `count`; around each even
 * cut (within a third of a glyph) the `perCut` emptiest columns that are
 * local minima of the column ink are kept as candidates (where two glyphs
 * touch least), the even position among them.
 */
export function cutCandidates(image: InkImage, count: number, perCut = 3): CutCandidates {
  const { width, height, ink } = image;
  const columns = new Float32Array(width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) columns[x]! += ink[y * width + x]!;
  let peak = 0;
  for (const c of columns) peak = Math.max(peak, c);
  const has = (x: number) => columns[x]! > peak * 0.05;
  let left = 0;
  while (left < width - 1 && !has(left)) left++;
  let right = width - 1;
  while (right > left && !has(right)) right--;
  const step = (right - left + 1) / count;
  const smooth = (x: number) => (columns[x - 1] ?? 0) + columns[x]! + (columns[x + 1] ?? 0);
  const inner: number[][] = [];
  for (let k = 1; k < count; k++) {
    const even = Math.round(left + k * step);
    const from = Math.max(left + 2, Math.round(even - step / 3));
    const to = Math.min(right - 2, Math.round(even + step / 3));
    const minima: number[] = [];
    for (let x = from; x <= to; x++) if (smooth(x) <= smooth(x - 1) && smooth(x) <= smooth(x + 1)) minima.push(x);
    minima.sort((a, b) => smooth(a) - smooth(b) || Math.abs(a - even) - Math.abs(b - even));
    inner.push([...new Set([...minima.slice(0, perCut - 1), even])]);
  }
  return { left, right, inner };
}

/**
 * Chooses one candidate per cut so that the glyphs between them score best
 * in total (`score(from, to, index)`, higher is better): recognition-driven
 * segmentation, by dynamic programming over the cuts.
 */
export function bestCuts(candidates: CutCandidates, score: (from: number, to: number, index: number) => number): number[] {
  const stops = [[candidates.left], ...candidates.inner, [candidates.right + 1]];
  let best = new Map<number, { total: number; path: number[] }>([[candidates.left, { total: 0, path: [candidates.left] }]]);
  for (let i = 1; i < stops.length; i++) {
    const next = new Map<number, { total: number; path: number[] }>();
    for (const to of stops[i]!)
      for (const [from, so] of best) {
        if (to - from < 3) continue;
        const total = so.total + score(from, to, i - 1);
        if (!next.has(to) || next.get(to)!.total < total) next.set(to, { total, path: [...so.path, to] });
      }
    best = next;
  }
  const [result] = best.values();
  return result?.path ?? [];
}

/**
 * The glyph between columns `from` and `to`: cropped to its ink, scaled
 * (aspect kept) into a GLYPH_SIDE square, centred, then normalised to zero
 * mean and unit length, so that comparing two is a dot product.
 */
export function glyphFeature(image: InkImage, from: number, to: number, band?: [number, number]): Float32Array {
  const { width, height, ink } = image;
  let top = height;
  let bottom = -1;
  let left = to;
  let right = from - 1;
  for (let y = 0; y < height; y++)
    for (let x = from; x < to; x++)
      if (ink[y * width + x]! > 0.25) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
  const feature = new Float32Array(GLYPH_SIDE * GLYPH_SIDE);
  if (bottom < top) return feature;
  if (band) [top, bottom] = band;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = band ? undefined : GLYPH_SIDE / Math.max(w, h);
  const sxScale = scale ?? GLYPH_SIDE / w;
  const syScale = scale ?? GLYPH_SIDE / h;
  const offX = (GLYPH_SIDE - w * sxScale) / 2;
  const offY = (GLYPH_SIDE - h * syScale) / 2;
  for (let gy = 0; gy < GLYPH_SIDE; gy++)
    for (let gx = 0; gx < GLYPH_SIDE; gx++) {
      const sx = Math.floor(left + (gx + 0.5 - offX) / sxScale);
      const sy = Math.floor(top + (gy + 0.5 - offY) / syScale);
      if (sx >= left && sx <= right && sy >= top && sy <= bottom) feature[gy * GLYPH_SIDE + gx] = ink[sy * width + sx]!;
    }
  let mean = 0;
  for (const v of feature) mean += v / feature.length;
  let norm = 0;
  for (let i = 0; i < feature.length; i++) {
    feature[i] = feature[i]! - mean;
    norm += feature[i]! ** 2;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < feature.length; i++) feature[i] = feature[i]! / norm;
  return feature;
}
