import { pickLanguage } from '@duotoken/protocol';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { captchaDataUrl } from '../../auth/captcha/captcha-provider.js';
import { AuthError, isAuthError } from '../../errors/auth-error.js';
import { clientInfo } from '../../http/client-info.js';
import { principalOf } from '../../http/require-access.js';
import type { LinCmsDeps } from '../dialect-deps.js';
import { LinCmsError } from './lin-cms-codes.js';
import { requestLabel } from './lin-cms-format.js';
import type { LinCmsPasswordBody } from './lin-cms-schemas.js';

/**
 * `POST /cms/user/captcha`, which lin-cms-vue calls when its login page
 * mounts and after every failed login: a challenge `t` (lin-cms's `tag`)
 * with a captcha drawn for it, the image as a `data:` URL. lin-cms-vue
 * shows a captcha field only when `image` is set, and cannot be told later
 * that one is needed, so one is drawn whenever the policy may check it
 * (`always`, `after-failures`); with `off` both are null, as lin-cms
 * answers with its captcha disabled.
 */
export async function drawLinCmsCaptcha(
  services: LinCmsDeps,
  request: FastifyRequest,
): Promise<{ tag: string | null; image: string | null }> {
  if (services.config.captcha === 'off') return { tag: null, image: null };
  await services.rateLimiter.hit('captcha', request.ip);
  const { t } = await services.challenges.issue();
  return { tag: t, image: captchaDataUrl(await services.challenges.drawCaptcha(t)) };
}

/**
 * `PUT /cms/user/change_password` through the service behind `POST
 * /auth/password` (old password checked, other sessions ended), with
 * lin-cms's answers: a wrong old password is 10032, a confirmation that
 * differs or a new password the policy refuses is 10030 naming the field.
 */
export async function changeLinCmsPassword(services: LinCmsDeps, request: FastifyRequest, body: Static<typeof LinCmsPasswordBody>) {
  if (body.new_password !== body.confirm_password) throw new AuthError('INVALID_REQUEST', { details: { field: 'confirm_password' } });
  const p = principalOf(request);
  try {
    await services.passwords.change(p.userId, p.sessionId, body.old_password, body.new_password, clientInfo(request));
  } catch (error) {
    if (!isAuthError(error)) throw error;
    if (error.code === 'BAD_CREDENTIALS') throw new LinCmsError(error.code, 10032, { cause: error });
    if (error.code === 'INVALID_REQUEST' && error.details?.field === 'password')
      throw new AuthError('INVALID_REQUEST', { details: { ...error.details, field: 'new_password' }, cause: error });
    throw error;
  }
}

/** lin-cms's success message for a password change: `{ code: 4, message: "密码修改成功", request }`. */
export function passwordChangedMessage(request: FastifyRequest) {
  const message = pickLanguage(request.headers['accept-language']) === 'en' ? 'Password changed' : '密码修改成功';
  return { code: 4, message, request: requestLabel(request) };
}
