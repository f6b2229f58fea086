/**
 * A mutual exclusion that holds across the browser tabs of one origin (and,
 * always, within this JavaScript realm). The refresh runs under it, so of
 * several tabs with one expired token exactly one calls the server.
 */
export interface CrossTabLock {
  /** Runs `task` while holding the lock `name`; resolves with its result once the lock is released. */
  run<T>(name: string, task: () => Promise<T>): Promise<T>;
}
