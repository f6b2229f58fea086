/**
 * Short-lived shared state: challenges and captcha answers, rate-limit
 * counters. In memory for one instance; Redis when several share the work.
 * Methods are named for what callers need, and each is atomic.
 */
export interface EphemeralStore {
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Replaces the value only when the key still exists (keeps a used challenge used). */
  replace(key: string, value: string, ttlMs: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  /** Reads and deletes in one step: of concurrent callers, one gets the value. */
  take(key: string): Promise<string | undefined>;
  /** Adds one to a counter that lives `windowMs` from its first hit; returns the count and ms left. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  delete(key: string): Promise<void>;
  /** Round trip for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
