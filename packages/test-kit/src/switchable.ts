/** `real` whose every method (but `close`) rejects with `fail()` while `state.down` is set, as a lost backend would. */
export function switchable<T extends object>(real: T, fail: () => unknown): { wrapped: T; state: { down: boolean } } {
  const state = { down: false };
  const wrapped = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => (state.down ? Promise.reject(fail()) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { wrapped, state };
}
