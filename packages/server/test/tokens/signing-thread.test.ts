import { generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signEd25519, SigningThread } from '../../src/tokens/signing-thread.js';

const first = generateKeyPairSync('ed25519');
const second = generateKeyPairSync('ed25519');
const threads: SigningThread[] = [];
const newThread = () => {
  const thread = new SigningThread();
  threads.push(thread);
  return thread;
};
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.close();
});

const valid = (input: string, signature: string, publicKey = first.publicKey) =>
  verify(null, Buffer.from(input), publicKey, Buffer.from(signature, 'base64url'));

describe('SigningThread', () => {
  it('signs a batch made in one turn, each input with its own key, as the calling thread would (Ed25519 is deterministic)', async () => {
    const thread = newThread();
    const jobs = Array.from({ length: 40 }, (_, i) => ({ input: `header.payload-${i}`, key: i % 2 ? second : first }));
    const signatures = await Promise.all(jobs.map((j) => thread.sign(j.input, j.key.privateKey)));
    signatures.forEach((signature, i) => {
      const { input, key } = jobs[i]!;
      expect(signature).toBe(signEd25519(input, key.privateKey));
      expect(valid(input, signature, key.publicKey)).toBe(true);
      expect(valid(input, signature, (i % 2 ? first : second).publicKey)).toBe(false);
    });
    expect(thread.counts()).toEqual({ onThread: 40, onCaller: 0 });
  });

  it('keeps signing across turns and after a new key appears', async () => {
    const thread = newThread();
    expect(valid('a.b', await thread.sign('a.b', first.privateKey))).toBe(true);
    expect(valid('c.d', await thread.sign('c.d', second.privateKey), second.publicKey)).toBe(true);
    expect(valid('e.f', await thread.sign('e.f', first.privateKey))).toBe(true);
  });

  it('when the thread ends with work in flight, that work and all later work is signed on the calling thread', async () => {
    const thread = newThread();
    const pending = Array.from({ length: 10 }, (_, i) => thread.sign(`x.${i}`, first.privateKey));
    // Let the batch leave for the thread, then end it before it can answer.
    await new Promise((r) => setImmediate(r));
    await thread.close();
    const signatures = await Promise.all(pending);
    signatures.forEach((signature, i) => expect(valid(`x.${i}`, signature)).toBe(true));
    expect(valid('later', await thread.sign('later', first.privateKey))).toBe(true);
    expect(thread.counts()).toEqual({ onThread: 0, onCaller: 11 });
  });
});
