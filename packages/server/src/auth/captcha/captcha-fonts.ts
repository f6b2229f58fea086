import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OutlineFont } from './outline-geometry.js';

/** A typeface the captcha draws with. */
export interface CaptchaFont {
  name: string;
  font: OutlineFont;
}

/**
 * The bundled typefaces, all under the SIL Open Font License 1.1 and
 * installed as npm packages (never read from the system), chosen for
 * shapes that differ from each other: a sans designed for legibility, a
 * slab typewriter, a bold serif and a handwriting.
 */
const BUNDLED = [
  { name: 'Atkinson Hyperlegible', file: '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-700-normal.woff' },
  { name: 'Courier Prime', file: '@fontsource/courier-prime/files/courier-prime-latin-700-normal.woff' },
  { name: 'Libre Baskerville', file: '@fontsource/libre-baskerville/files/libre-baskerville-latin-700-normal.woff' },
  { name: 'Patrick Hand', file: '@fontsource/patrick-hand/files/patrick-hand-latin-400-normal.woff' },
];

let loaded: CaptchaFont[] | undefined;

/** The bundled typefaces, parsed once per process (about 35 ms, the first time). */
export function bundledCaptchaFonts(): CaptchaFont[] {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    // opentype.js 1.x: a UMD bundle without types, required (an ES import would not see its named exports).
    const opentype = require('opentype.js') as { parse(buffer: ArrayBuffer): OutlineFont };
    loaded = BUNDLED.map(({ name, file }) => {
      const bytes = readFileSync(require.resolve(file));
      return { name, font: opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    });
  }
  return loaded;
}
