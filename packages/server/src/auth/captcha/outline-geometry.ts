/** A point `[x, y]` in image pixels, y pointing down. */
export type Point = [number, number];
/** A closed outline. */
export type Polygon = Point[];
/** A command of a glyph outline, as opentype.js gives them (y pointing down). */
export type OutlineCommand =
  | { type: 'M' | 'L'; x: number; y: number }
  | { type: 'Q'; x1: number; y1: number; x: number; y: number }
  | { type: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: 'Z' };

/** What the captcha needs of a parsed font (an opentype.js `Font` has it). */
export interface OutlineFont {
  charToGlyph(char: string): { getPath(x: number, y: number, fontSize: number): { commands: OutlineCommand[] } };
}

/** A uniform random number in [0, 1). */
export type Random = () => number;

/** A uniform random number in [min, max). */
export const between = (random: Random, min: number, max: number) => min + random() * (max - min);

/**
 * Flattens glyph outline commands into polygons, cutting every line and
 * curve into pieces of a random length between `minStep` and `maxStep`
 * pixels. Straight edges gain points too, so that a later warp bends them,
 * and the outline's commands no longer name the glyph (svg-captcha's kept
 * the font's command sequence, which identified each character).
 */
export function flattenOutline(commands: OutlineCommand[], random: Random, minStep = 1.5, maxStep = 3.2): Polygon[] {
  const polygons: Polygon[] = [];
  let current: Polygon = [];
  let at: Point = [0, 0];
  const pieces = (length: number) => Math.max(1, Math.ceil(length / between(random, minStep, maxStep)));
  for (const c of commands) {
    if (c.type === 'M') {
      if (current.length > 2) polygons.push(current);
      current = [[c.x, c.y]];
      at = [c.x, c.y];
    } else if (c.type === 'L') {
      const n = pieces(Math.hypot(c.x - at[0], c.y - at[1]));
      for (let i = 1; i <= n; i++) current.push([at[0] + ((c.x - at[0]) * i) / n, at[1] + ((c.y - at[1]) * i) / n]);
      at = [c.x, c.y];
    } else if (c.type === 'Q' || c.type === 'C') {
      const controls: Point[] = c.type === 'Q' ? [at, [c.x1, c.y1], [c.x, c.y]] : [at, [c.x1, c.y1], [c.x2, c.y2], [c.x, c.y]];
      let hull = 0;
      for (let i = 1; i < controls.length; i++)
        hull += Math.hypot(controls[i]![0] - controls[i - 1]![0], controls[i]![1] - controls[i - 1]![1]);
      const n = pieces(hull);
      for (let i = 1; i <= n; i++) current.push(bezier(controls, i / n));
      at = [c.x, c.y];
    } else if (current.length > 2) {
      polygons.push(current);
      current = [];
    }
  }
  if (current.length > 2) polygons.push(current);
  return polygons;
}

/** The point at `t` of a quadratic (3 controls) or cubic (4 controls) Bézier curve. */
function bezier(controls: Point[], t: number): Point {
  const u = 1 - t;
  const k = controls.length === 3 ? [u * u, 2 * u * t, t * t] : [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  let x = 0;
  let y = 0;
  for (let i = 0; i < k.length; i++) {
    x += k[i]! * controls[i]![0];
    y += k[i]! * controls[i]![1];
  }
  return [x, y];
}

/** The smallest box around every point: `[minX, minY, maxX, maxY]`. */
export function boundsOf(polygons: Polygon[]): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons)
    for (const [x, y] of polygon) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  return [x0, y0, x1, y1];
}

/** Every point moved by `f`. */
export function mapPoints(polygons: Polygon[], f: (p: Point) => Point): Polygon[] {
  return polygons.map((polygon) => polygon.map(f));
}

/**
 * A band of varying width along a curve, as a polygon: a noise stroke
 * drawn like the glyphs (filled, as thick as their strokes), so that
 * removing thin lines does not remove it.
 */
export function bandAlong(curve: (t: number) => Point, width: (t: number) => number, pieces: number): Polygon {
  const left: Polygon = [];
  const right: Polygon = [];
  for (let i = 0; i <= pieces; i++) {
    const t = i / pieces;
    const [x, y] = curve(t);
    const [ax, ay] = curve(Math.max(0, t - 0.01));
    const [bx, by] = curve(Math.min(1, t + 0.01));
    const length = Math.hypot(bx - ax, by - ay) || 1;
    const half = width(t) / 2;
    const [nx, ny] = [-(by - ay) / length, (bx - ax) / length];
    left.push([x + nx * half, y + ny * half]);
    right.push([x - nx * half, y - ny * half]);
  }
  return [...left, ...right.reverse()];
}

/** A small irregular dot. */
export function dot(center: Point, radius: number, random: Random): Polygon {
  const corners = 5 + Math.floor(random() * 4);
  const turn = random() * Math.PI;
  return Array.from({ length: corners }, (_, i) => {
    const angle = turn + (i / corners) * 2 * Math.PI;
    const r = radius * between(random, 0.75, 1.2);
    return [center[0] + Math.cos(angle) * r, center[1] + Math.sin(angle) * r] as Point;
  });
}

/**
 * SVG path data for polygons, each starting at a random corner (the same
 * outline never reads the same way twice), one decimal per coordinate.
 * Directions are kept: a glyph's holes turn against its outline, which is
 * how the `nonzero` fill rule leaves them empty.
 */
export function pathData(polygons: Polygon[], random: Random): string {
  // Tenths as integers: formatting an integer costs a fraction of a float's.
  const n = (v: number) => {
    const tenths = Math.round(v * 10);
    const units = Math.trunc(tenths / 10);
    const rest = Math.abs(tenths % 10);
    return rest === 0 ? String(units) : `${tenths < 0 && units === 0 ? '-' : ''}${units}.${rest}`;
  };
  return polygons
    .map((polygon) => {
      const start = Math.floor(random() * polygon.length);
      const points = [...polygon.slice(start), ...polygon.slice(0, start)];
      return `M${points.map(([x, y]) => `${n(x)} ${n(y)}`).join('L')}Z`;
    })
    .join('');
}
