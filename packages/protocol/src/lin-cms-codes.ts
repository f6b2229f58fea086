import type { ErrorCode, Language } from './error-codes.js';

/**
 * lin-cms's own error codes (lin-cms-koa `code-message.js`) with the HTTP
 * status SPEC §4 gives each. Messages are lin-cms's, so a lin-cms front-end
 * that shows `message` reads what it always read.
 */
export const LIN_CMS_CODES = {
  9999: { status: 500, zh: '服务器未知错误', en: 'Unknown server error' },
  10000: { status: 401, zh: '未携带令牌', en: 'No token' },
  10001: { status: 403, zh: '权限不足', en: 'Forbidden' },
  10020: { status: 404, zh: '资源不存在', en: 'Not found' },
  10030: { status: 400, zh: '参数错误', en: 'Bad parameters' },
  10031: { status: 400, zh: '用户名或密码错误', en: 'Wrong username or password' },
  10032: { status: 400, zh: '请输入正确的密码', en: 'Enter the right (old) password' },
  10040: { status: 401, zh: '令牌失效', en: 'Token invalid' },
  10041: { status: 401, zh: 'access token 损坏', en: 'Access token damaged' },
  10042: { status: 401, zh: 'refresh token 损坏', en: 'Refresh token damaged' },
  10050: { status: 401, zh: '令牌过期', en: 'Token expired' },
  10051: { status: 401, zh: 'access token 过期', en: 'Access token expired' },
  10052: { status: 401, zh: 'refresh token 过期', en: 'Refresh token expired' },
  10060: { status: 409, zh: '字段重复', en: 'Duplicate field' },
  10140: { status: 429, zh: '请求过于频繁，请稍后重试', en: 'Too many requests, try again later' },
  10250: { status: 401, zh: '请使用正确类型的令牌', en: 'Use a token of the right type' },
  // lin-cms-spring-boot's captcha error (ParameterException(10260)).
  10260: { status: 400, zh: '验证码错误', en: 'Wrong captcha' },
} as const satisfies Record<number, { status: number; zh: string; en: string }>;

/** A lin-cms wire code. */
export type LinCmsCode = keyof typeof LIN_CMS_CODES;

/**
 * How one duotoken error reads in lin-cms: its code, and a status or message
 * where lin-cms's own would mislead (one lin-cms code standing for several
 * duotoken errors).
 */
export interface LinCmsMapping {
  code: LinCmsCode;
  status?: number;
  zh?: string;
  en?: string;
}

/** lin-cms has no "unavailable": 9999 is its unknown server error, sent with 503 so that callers retry later (SPEC §6 10051). */
export const LIN_CMS_UNAVAILABLE: LinCmsMapping = {
  code: 9999,
  status: 503,
  zh: '存储暂不可用，请稍后再试',
  en: 'Store unavailable, try again later',
};

/**
 * Internal error → lin-cms code, for errors that are not access refusals.
 * Refusals of an access token carry their reason and are mapped by
 * `ACCESS_REFUSALS` (10000, 10041, 10050, 10051, 10250…); the server's refresh
 * route picks its typed codes itself (10042/10052). The untyped 10040/10050
 * below are lin-cms's own fallbacks for "some token".
 */
export const LIN_CMS_ERROR_MAP: Record<ErrorCode, LinCmsMapping> = {
  INVALID_REQUEST: { code: 10030 },
  // lin-cms-vue shows the message and draws a new captcha after any failed login.
  CHALLENGE_INVALID: { code: 10260, zh: '验证码已失效，请刷新验证码', en: 'Captcha missing, expired or already used: draw a new one' },
  CAPTCHA_WRONG: { code: 10260 },
  BAD_CREDENTIALS: { code: 10031 },
  // lin-cms has no lockout: "too many requests" is what the user did, and it carries Retry-After.
  ACCOUNT_LOCKED: { code: 10140, zh: '账号暂时锁定，请稍后再试', en: 'Account temporarily locked, try again later' },
  ACCOUNT_DISABLED: { code: 10001, zh: '账号已停用', en: 'Account disabled' },
  RATE_LIMITED: { code: 10140 },
  REFRESH_TOKEN_INVALID: { code: 10052 },
  ACCESS_TOKEN_MISSING: { code: 10000 },
  ACCESS_TOKEN_RENEWED: { code: 10051 },
  ACCESS_TOKEN_EXPIRED: { code: 10050 },
  ACCESS_TOKEN_INVALID: { code: 10040 },
  FORBIDDEN: { code: 10001 },
  CONFLICT: { code: 10060 },
  NOT_FOUND: { code: 10020 },
  // lin-cms-vue cannot do a second step: its login is refused (400, as a failed login) with a message saying where to sign in (docs/mfa.md).
  MFA_REQUIRED: {
    code: 10031,
    zh: '该账号已开启第二重验证，请在支持的客户端登录',
    en: 'This account uses a second factor: sign in with a client that supports it',
  },
  MFA_WRONG: { code: 10031, zh: '第二重验证码错误', en: 'Wrong second factor' },
  MFA_TICKET_INVALID: { code: 10030, zh: '多因素验证票据无效', en: 'MFA ticket invalid' },
  STEP_UP_REQUIRED: { code: 10001, zh: '需要重新验证身份', en: 'Recent authentication required' },
  MFA_ENROLL_REQUIRED: {
    code: 10031,
    zh: '请先在支持的客户端设置第二重验证',
    en: 'Enroll a second factor with a client that supports it first',
  },
  INTERNAL: { code: 9999 },
  STORE_UNAVAILABLE: LIN_CMS_UNAVAILABLE,
};

/** The lin-cms code, HTTP status and message of a mapping, in a language. */
export function linCmsAnswer(mapping: LinCmsMapping, lang: Language): { code: LinCmsCode; status: number; message: string } {
  const entry = LIN_CMS_CODES[mapping.code];
  return { code: mapping.code, status: mapping.status ?? entry.status, message: mapping[lang] ?? entry[lang] };
}
