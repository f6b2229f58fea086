import { reactive } from 'vue';

/** The step-up prompt (`StepUpDialog.vue`, mounted once in App.vue): open while a change waits for the password. */
export const stepUp = reactive({ open: false });

let pending: ((proved: boolean) => void) | null = null;

/**
 * Asks the user to prove who they are again (10063: the sign-in is older than
 * the server's step-up age). Resolves true once `POST /auth/reauth` accepted
 * it (the client holds the renewed pair), false when the user cancelled.
 */
export function requestStepUp(): Promise<boolean> {
  pending?.(false);
  stepUp.open = true;
  return new Promise((resolve) => {
    pending = resolve;
  });
}

/** Called by the dialog when it closes. */
export function settleStepUp(proved: boolean): void {
  stepUp.open = false;
  pending?.(proved);
  pending = null;
}
