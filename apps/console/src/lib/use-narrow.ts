import { ref, type Ref } from 'vue';

/** Below this width the navigation moves into a drawer and tables become cards. */
const NARROW = '(max-width: 768px)';

const query = window.matchMedia(NARROW);
const narrow = ref(query.matches);
query.addEventListener('change', (event) => (narrow.value = event.matches));

/** True on a phone-sized window (reactive, one listener for the whole console). */
export function useNarrow(): Readonly<Ref<boolean>> {
  return narrow;
}
