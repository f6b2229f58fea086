import { ref } from 'vue';

/** Options of a select that searches the server as the user types; a failed search offers none. */
export function useRemoteOptions<T>(fetch: (query: string) => Promise<T[]>) {
  const options = ref<T[]>([]);
  const loading = ref(false);
  async function search(query = ''): Promise<void> {
    loading.value = true;
    try {
      options.value = await fetch(query);
    } catch {
      options.value = [];
    } finally {
      loading.value = false;
    }
  }
  return { options, loading, search };
}
