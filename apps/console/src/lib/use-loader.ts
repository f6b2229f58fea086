import { reactive } from 'vue';
import { errorText } from './error-text.js';

/** What a page loaded (null until it has), whether it is loading, and why it failed ('' when it did not). */
export interface Loaded<T> {
  data: T | null;
  loading: boolean;
  error: string;
}

/**
 * One thing a page loads from the server (not paginated): `load()` fetches
 * it again; a failure keeps the last data and says why.
 */
export function useLoader<T>(fetch: () => Promise<T>): { state: Loaded<T>; load: () => Promise<void> } {
  const state = reactive({ data: null, loading: false, error: '' }) as Loaded<T>;
  async function load(): Promise<void> {
    state.loading = true;
    state.error = '';
    try {
      state.data = await fetch();
    } catch (error) {
      state.error = errorText(error);
    } finally {
      state.loading = false;
    }
  }
  return { state, load };
}
