import { ref } from 'vue';

/**
 * Options of a select that searches the server as the user types; a failed
 * search offers none. Only the latest search's answer is shown: answers can
 * arrive out of order (one per keystroke, several connections), and an
 * earlier, slower one must not replace the options under the user's pointer.
 */
export function useRemoteOptions<T>(fetch: (query: string) => Promise<T[]>) {
  const options = ref<T[]>([]);
  const loading = ref(false);
  let latest = 0;
  async function search(query = ''): Promise<void> {
    const mine = ++latest;
    loading.value = true;
    let found: T[];
    try {
      found = await fetch(query);
    } catch {
      found = [];
    }
    if (mine !== latest) return;
    options.value = found;
    loading.value = false;
  }
  return { options, loading, search };
}
