import { ElMessage, ElMessageBox } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import { t } from '../i18n/i18n.js';
import { isStepUpRequired } from '@duotoken/client';
import { errorText } from './error-text.js';
import { requestStepUp } from './step-up.js';

/**
 * Runs a change on the server and says how it went. The page shows the new
 * state only from the server's answer (`action`'s result), never before:
 * nothing the server refused is ever on screen. Returns the result, or
 * undefined when it failed (the error has been shown). A change the server
 * refuses for an old sign-in (10063) asks for the password again
 * (`POST /auth/reauth`) and is retried once.
 */
export async function runAction<T>(action: () => Promise<T>, success?: string): Promise<T | undefined> {
  try {
    const result = await action().catch(async (error: unknown) => {
      if (isStepUpRequired(error) && (await requestStepUp())) return action();
      throw error;
    });
    if (success) ElMessage({ type: 'success', message: success, showClose: true });
    return result;
  } catch (error) {
    ElMessage({ type: 'error', message: errorText(error), showClose: true, duration: 6000 });
    return undefined;
  }
}

/**
 * Asks before a destructive action. The dialog traps focus, returns it to
 * the button that opened it, and closes on Escape (= cancel).
 */
export async function confirmAction(options: { title: string; message: string; confirm: string }): Promise<boolean> {
  try {
    await ElMessageBox.confirm(options.message, options.title, {
      type: 'warning',
      confirmButtonText: options.confirm,
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      autofocus: false,
      closeOnClickModal: false,
    });
    return true;
  } catch {
    return false;
  }
}
