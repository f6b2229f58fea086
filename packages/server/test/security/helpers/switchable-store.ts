import { AuthError } from '../../../src/errors/auth-error.js';
import type { Store } from '../../../src/store/store.js';

/** A Store whose every method fails with STORE_UNAVAILABLE while `state.down` is set, as a lost database would. */
export function switchableStore(real: Store): { store: Store; state: { down: boolean } } {
  const state = { down: false };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) =>
        state.down ? Promise.reject(new AuthError('STORE_UNAVAILABLE')) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, state };
}
