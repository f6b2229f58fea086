import { switchable } from '@duotoken/test-kit/switchable';
import { AuthError } from '../../../src/errors/auth-error.js';
import type { Store } from '../../../src/store/store.js';

/** A Store that fails with STORE_UNAVAILABLE while `state.down` is set, as a lost database would. */
export function switchableStore(real: Store): { store: Store; state: { down: boolean } } {
  const { wrapped, state } = switchable(real, () => new AuthError('STORE_UNAVAILABLE'));
  return { store: wrapped, state };
}
