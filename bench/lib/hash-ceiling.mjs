// The ceiling a password hash puts on logins/s on this machine: the hash
// alone, `concurrency` at a time, no HTTP, no database. A server's login rate
// divided by its hash's ceiling is the share it keeps for everything else.
import { scrypt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

const PASSWORD = 'correct horse battery staple';

async function measure(seconds, concurrency, once) {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (Date.now() < until) {
      await once();
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((Date.now() - started) / 1000);
}

/** argon2id verifications/s at duotoken's default cost (m=19456 KiB, t=2, p=1). */
export async function argon2Ceiling(seconds, concurrency) {
  const stored = await hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  return measure(seconds, concurrency, () => verify(stored, PASSWORD));
}

/** scrypt verifications/s at better-auth's default cost (N=16384, r=16, p=1, 64-byte key). */
export async function scryptCeiling(seconds, concurrency) {
  const options = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 };
  return measure(
    seconds,
    concurrency,
    () => new Promise((resolve, reject) => scrypt(PASSWORD, 'salt-salt-salt-salt', 64, options, (e) => (e ? reject(e) : resolve()))),
  );
}
