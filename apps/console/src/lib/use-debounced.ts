import { onBeforeUnmount } from 'vue';

/** `fn` run once typing pauses for `ms` (a search box that does not query the server on every key). */
export function useDebounced(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  onBeforeUnmount(() => clearTimeout(timer));
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
