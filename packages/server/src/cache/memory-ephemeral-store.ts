import type { Clock } from '../clock/clock.js';
import type { EphemeralStore } from './ephemeral-store.js';

/** Entries beyond this trigger a sweep of expired ones on the next write. */
const SWEEP_THRESHOLD = 10_000;

/** The single-instance EphemeralStore; expiry follows the injected clock. */
export class MemoryEphemeralStore implements EphemeralStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private nextSweepSize = SWEEP_THRESHOLD;

  constructor(private readonly clock: Clock) {}

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  async replace(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.read(key) === undefined) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async get(key: string): Promise<string | undefined> {
    return this.read(key);
  }

  async take(key: string): Promise<string | undefined> {
    const value = this.read(key);
    this.entries.delete(key);
    return value;
  }

  async increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (!hit || hit.expiresAt <= now) {
      this.write(key, '1', windowMs);
      return { count: 1, resetInMs: windowMs };
    }
    hit.value = String(Number(hit.value) + 1);
    return { count: Number(hit.value), resetInMs: hit.expiresAt - now };
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
  }

  private read(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  private write(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    if (this.entries.size >= this.nextSweepSize) {
      const now = this.clock.now();
      for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
      this.nextSweepSize = Math.max(SWEEP_THRESHOLD, this.entries.size * 2);
    }
  }
}
