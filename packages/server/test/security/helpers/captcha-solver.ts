import { bestCuts, cutCandidates, GLYPH_SIDE, glyphFeature, open3, rasterise } from './captcha-raster.js';

/** A captcha image whose answer the attacker knows (they drew it themselves). */
export interface LabelledCaptcha {
  svg: string;
  answer: string;
}

interface PathGlyph {
  /** Command letters of the path: the same glyph of the same font always has the same ones. */
  signature: string;
  /** Coordinates relative to the first point. */
  shape: number[];
  left: number;
}

/** The filled `<path>` elements of an SVG, left to right: svg-captcha draws one per character. */
function filledPaths(svg: string): PathGlyph[] {
  const glyphs: PathGlyph[] = [];
  for (const [, attributes] of svg.matchAll(/<path([^>]*)\/?>/g)) {
    const fill = /fill="([^"]*)"/.exec(attributes!)?.[1];
    const d = /\bd="([^"]*)"/.exec(attributes!)?.[1];
    if (!d || !fill || fill === 'none') continue;
    const numbers = (d.match(/-?\d*\.?\d+(?:e-?\d+)?/g) ?? []).map(Number);
    const xs = numbers.filter((_, i) => i % 2 === 0);
    glyphs.push({
      signature: d.replace(/[^A-Za-z]/g, ''),
      shape: numbers.map((n, i) => n - numbers[i % 2]!),
      left: Math.min(...xs),
    });
  }
  return glyphs.sort((a, b) => a.left - b.left);
}

/**
 * The afternoon solver of finding #12.5: it reads each glyph's outline from
 * the SVG (one filled path per character, fixed font and size, ±0.1 jitter)
 * and looks it up among outlines it drew itself. Undefined when the SVG
 * does not split into one known outline per expected character.
 */
export class PathGeometryReader {
  private constructor(private readonly templates: Map<string, Array<{ shape: number[]; char: string }>>) {}

  static train(samples: LabelledCaptcha[]): PathGeometryReader {
    const templates = new Map<string, Array<{ shape: number[]; char: string }>>();
    for (const { svg, answer } of samples) {
      const glyphs = filledPaths(svg);
      if (glyphs.length !== answer.length) continue;
      glyphs.forEach((g, i) => {
        const list = templates.get(g.signature) ?? [];
        list.push({ shape: g.shape, char: answer[i]!.toLowerCase() });
        templates.set(g.signature, list);
      });
    }
    return new PathGeometryReader(templates);
  }

  read(svg: string, length: number): string | undefined {
    const glyphs = filledPaths(svg);
    if (glyphs.length !== length) return undefined;
    let text = '';
    for (const g of glyphs) {
      let best: { distance: number; char: string } | undefined;
      for (const t of this.templates.get(g.signature) ?? []) {
        if (t.shape.length !== g.shape.length) continue;
        let distance = 0;
        for (let i = 0; i < t.shape.length; i++) distance += (t.shape[i]! - g.shape[i]!) ** 2;
        if (!best || distance < best.distance) best = { distance, char: t.char };
      }
      if (!best) return undefined;
      text += best.char;
    }
    return text;
  }
}

/** Labelled 16 × 16 glyphs cut from images the attacker drew, in one array (the nearest-neighbour search is the solver's hot loop). */
class GlyphTemplates {
  private readonly features: Float32Array;
  private readonly chars: string[];

  constructor(templates: Array<{ feature: Float32Array; char: string }>) {
    this.chars = templates.map((t) => t.char);
    this.features = new Float32Array(templates.length * GLYPH_SIDE * GLYPH_SIDE);
    templates.forEach((t, i) => this.features.set(t.feature, i * GLYPH_SIDE * GLYPH_SIDE));
  }

  /** The nearest template's label and cosine (among those labelled `char`, when given). */
  nearest(feature: Float32Array, char?: string): { score: number; char: string } {
    const size = feature.length;
    let best = { score: -Infinity, char: '?' };
    for (let t = 0; t < this.chars.length; t++) {
      if (char !== undefined && this.chars[t] !== char) continue;
      let score = 0;
      for (let i = 0, o = t * size; i < size; i++, o++) score += feature[i]! * this.features[o]!;
      if (score > best.score) best = { score, char: this.chars[t]! };
    }
    return best;
  }
}

/** Rasterised, thin lines removed, and the candidate cuts for `length` glyphs, with a feature cache. */
function prepare(svg: string, length: number) {
  const image = open3(rasterise(svg));
  const candidates = cutCandidates(image, length);
  const cache = new Map<number, Float32Array>();
  const feature = (from: number, to: number) => {
    const key = from * 10_000 + to;
    let f = cache.get(key);
    if (!f) cache.set(key, (f = glyphFeature(image, from, to)));
    return f;
  };
  return { candidates, feature };
}

/**
 * The renderer's way to the same end, for captchas whose SVG hides the
 * glyphs: rasterise, remove thin lines, then cut the text into as many
 * glyphs as the answers have, choosing among candidate cuts the ones whose
 * glyphs look most like known ones (each glyph scored by its nearest
 * template, cosine of 20 × 20 ink images). Templates are cut from labelled
 * images twice: evenly first, then with the cuts that fit their labels best.
 */
export class RasterTemplateReader {
  private constructor(private readonly templates: GlyphTemplates) {}

  static train(samples: LabelledCaptcha[]): RasterTemplateReader {
    const prepared = samples.map(({ svg, answer }) => ({ answer: answer.toLowerCase(), ...prepare(svg, answer.length) }));
    const first: Array<{ feature: Float32Array; char: string }> = [];
    for (const { answer, candidates, feature } of prepared) {
      const cuts = [candidates.left, ...candidates.inner.map((c) => c[0]!), candidates.right + 1];
      for (let i = 0; i < answer.length; i++) first.push({ feature: feature(cuts[i]!, cuts[i + 1]!), char: answer[i]! });
    }
    const evenly = new GlyphTemplates(first);
    const second: Array<{ feature: Float32Array; char: string }> = [];
    for (const { answer, candidates, feature } of prepared) {
      const cuts = bestCuts(candidates, (from, to, i) => evenly.nearest(feature(from, to), answer[i]).score);
      for (let i = 0; i + 1 < cuts.length; i++) second.push({ feature: feature(cuts[i]!, cuts[i + 1]!), char: answer[i]! });
    }
    return new RasterTemplateReader(new GlyphTemplates(second));
  }

  read(svg: string, length: number): string {
    const { candidates, feature } = prepare(svg, length);
    const cuts = bestCuts(candidates, (from, to) => this.templates.nearest(feature(from, to)).score);
    let text = '';
    for (let i = 0; i + 1 < cuts.length; i++) text += this.templates.nearest(feature(cuts[i]!, cuts[i + 1]!)).char;
    return text;
  }
}

/** Both readers, trained on the same labelled images: the outline reader when it reads a whole answer, else the raster one. */
export class CaptchaSolver {
  private constructor(
    readonly paths: PathGeometryReader,
    readonly raster: RasterTemplateReader,
    /** The answers' usual length: the attacker has seen many. */
    readonly length: number,
  ) {}

  static train(samples: LabelledCaptcha[]): CaptchaSolver {
    const lengths = new Map<number, number>();
    for (const s of samples) lengths.set(s.answer.length, (lengths.get(s.answer.length) ?? 0) + 1);
    const length = [...lengths].sort((a, b) => b[1] - a[1])[0]![0];
    return new CaptchaSolver(PathGeometryReader.train(samples), RasterTemplateReader.train(samples), length);
  }

  read(svg: string): string {
    return this.paths.read(svg, this.length) ?? this.raster.read(svg, this.length);
  }

  /** What each reader makes of an image, and the solver's answer. */
  readEach(svg: string): { paths: string | undefined; raster: string; solver: string } {
    const paths = this.paths.read(svg, this.length);
    const raster = this.raster.read(svg, this.length);
    return { paths, raster, solver: paths ?? raster };
  }
}
