import { ref, type Ref } from 'vue';
import { runAction } from './feedback.js';

/**
 * The submit of a dialog's form: runs `action` on the server (busy while it
 * does), says how it went, and closes the dialog only when the server
 * accepted it; a refusal leaves the form open with what was typed.
 */
export function useDialogSubmit<T>(open: Ref<boolean>, action: () => Promise<T>, success: () => string, done?: (result: T) => void) {
  const busy = ref(false);
  async function submit(): Promise<void> {
    busy.value = true;
    const result = await runAction(action, success());
    busy.value = false;
    if (result === undefined) return;
    open.value = false;
    done?.(result);
  }
  return { busy, submit };
}
