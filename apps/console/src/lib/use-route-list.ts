import { computed, reactive, ref, watch, type WritableComputedRef } from 'vue';
import { useRoute, useRouter, type LocationQuery } from 'vue-router';
import type { Page } from '../api/admin-types.js';
import { errorText } from './error-text.js';

/** Rows per page of every server-paginated list. */
export const PAGE_SIZES = [20, 50, 100, 200];

/** A server-paginated list: the page of rows, its total, and whether it is loading or failed. */
export interface ListState<T> {
  items: T[];
  total: number;
  loading: boolean;
  /** Why the last load failed ('' when it did not). */
  error: string;
}

const text = (value: LocationQuery[string] | undefined) => (typeof value === 'string' ? value : '');

/**
 * A server-paginated list whose filters, page and page size live in the URL
 * (so a link, a reload and the back button show the same rows). Changing a
 * filter goes back to page 1; an answer that arrives after a newer request
 * was sent is dropped.
 *
 * @example
 * const list = useRouteList({ search: '', status: '' }, (f, limit, offset) => adminApi.users({ ...f, limit, offset }));
 */
export function useRouteList<T, F extends Record<string, string>>(
  defaults: F,
  fetchPage: (filters: F, limit: number, offset: number) => Promise<Page<T>>,
) {
  const route = useRoute();
  const router = useRouter();
  const filters = reactive({ ...defaults }) as F;
  const page = ref(1);
  const pageSize = ref(PAGE_SIZES[0]!);
  const state = reactive({ items: [], total: 0, loading: false, error: '' }) as ListState<T>;
  let latest = 0;

  async function load(): Promise<void> {
    const mine = ++latest;
    state.loading = true;
    state.error = '';
    try {
      const answer = await fetchPage({ ...filters }, pageSize.value, (page.value - 1) * pageSize.value);
      if (mine !== latest) return;
      // A page past the end (its last rows were just removed): show the last page that has rows.
      if (answer.items.length === 0 && answer.total > 0 && page.value > 1) {
        setPage(Math.ceil(answer.total / pageSize.value));
        return;
      }
      state.items = answer.items;
      state.total = answer.total;
    } catch (error) {
      if (mine === latest) state.error = errorText(error);
    } finally {
      if (mine === latest) state.loading = false;
    }
  }

  function writeUrl(): void {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(filters)) if (value !== '' && value !== defaults[key]) query[key] = value;
    if (page.value > 1) query.page = String(page.value);
    if (pageSize.value !== PAGE_SIZES[0]) query.size = String(pageSize.value);
    void router.replace({ query });
  }

  function readUrl(query: LocationQuery): void {
    for (const key of Object.keys(defaults) as Array<keyof F & string>)
      (filters as Record<string, string>)[key] = text(query[key]) || defaults[key]!;
    page.value = Math.max(1, Number(text(query.page)) || 1);
    const size = Number(text(query.size));
    pageSize.value = PAGE_SIZES.includes(size) ? size : PAGE_SIZES[0]!;
  }

  /** Applies the filters as they are now (from page 1). */
  function applyFilters(): void {
    page.value = 1;
    writeUrl();
  }

  function setPage(next: number): void {
    page.value = next;
    writeUrl();
  }

  function setPageSize(next: number): void {
    pageSize.value = next;
    page.value = 1;
    writeUrl();
  }

  const path = route.path;
  // The URL is the one source: every change of it (ours, a link, back/forward) loads the rows it names.
  watch(
    () => route.query,
    (query) => {
      if (route.path !== path) return; // leaving the page
      readUrl(query);
      void load();
    },
    { immediate: true },
  );

  /** A filter holding an id (a company): a number or undefined for a select, applied on change. */
  function idFilter(key: keyof F & string): WritableComputedRef<number | undefined> {
    return computed({
      get: () => (filters[key] ? Number(filters[key]) : undefined),
      set: (id) => {
        (filters as Record<string, string>)[key] = id ? String(id) : '';
        applyFilters();
      },
    });
  }

  return { filters, page, pageSize, state, load, applyFilters, setPage, setPageSize, idFilter };
}
