import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Encrypts text with AES-256-GCM; output is `iv.tag.ciphertext`, base64url. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

/** Reverses `seal`; throws when the key is wrong or the box was altered. */
export function unseal(key: Buffer, box: string): string {
  const [iv, tag, body] = box.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed sealed box');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
