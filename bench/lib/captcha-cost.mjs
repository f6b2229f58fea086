// What one captcha image costs to draw: the default provider of the built
// server (packages/server/dist), and svg-captcha as duotoken drew before
// finding #12.5, for scale. CPU time of this process (user + system) per
// image, so that other work on the machine does not inflate it; the drawing
// is synchronous and single-threaded.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function perImage(seconds, draw) {
  for (let i = 0; i < 200; i++) draw(); // warm-up: fonts parsed, code optimised
  const until = Date.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  let images = 0;
  let bytes = 0;
  while (Date.now() < until) {
    bytes += draw();
    images++;
  }
  const used = process.cpuUsage(cpu);
  return { microsPerImage: (used.user + used.system) / images, bytesPerImage: bytes / images, images };
}

/** CPU µs and bytes per image of the default captcha, and of svg-captcha 1.4 with duotoken's former options. */
export async function captchaCost(root, seconds) {
  const { DistortedCaptcha } = await import(new URL('packages/server/dist/index.js', `file://${root}/`).href);
  const provider = new DistortedCaptcha();
  const result = { distorted: perImage(seconds, () => String(provider.draw().image).length) };
  try {
    const svgCaptcha = require('svg-captcha');
    const options = { size: 4, ignoreChars: '0oO1lIi', noise: 2, color: true };
    result.svgCaptcha = perImage(seconds, () => svgCaptcha.create(options).data.length);
  } catch {
    // a production install without the dev dependencies: the default alone
  }
  return result;
}
