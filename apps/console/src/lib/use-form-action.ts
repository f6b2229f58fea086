import { ref } from 'vue';
import { errorText } from './error-text.js';

/**
 * The submit of a form that shows its own refusal (sign-in steps, the step-up
 * dialog): one run at a time, busy while it runs, the server's message in
 * `error` when it fails. `run` answers whether the step went through.
 */
export function useFormAction() {
  const busy = ref(false);
  const error = ref('');
  async function run(step: () => Promise<unknown>): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = '';
    try {
      await step();
      return true;
    } catch (e) {
      error.value = errorText(e);
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}
