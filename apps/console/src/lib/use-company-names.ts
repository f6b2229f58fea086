import { onMounted, ref } from 'vue';
import { adminApi } from '../api/admin-api.js';

/**
 * Names of the companies the admin may see, for lists that carry only a
 * `company_id` (sessions). One request of the first 200; an id beyond them
 * shows as `#id`, which still links to the company.
 */
export function useCompanyNames(): (id: number | null) => string {
  const names = ref(new Map<number, string>());
  onMounted(async () => {
    try {
      const page = await adminApi.companies({ limit: 200 });
      names.value = new Map(page.items.map((c) => [c.id, c.name]));
    } catch {
      // The ids are shown instead.
    }
  });
  return (id) => (id === null ? '—' : (names.value.get(id) ?? `#${id}`));
}
