/**
 * The stable error catalogue of duotoken (SPEC §6).
 *
 * Internal code names are UPPER_SNAKE; each maps to the numeric wire code and
 * HTTP status used by the `standard` and `mmm` dialects, with a zh-CN and an
 * en message. Other dialects (lin-cms) map the internal names to their own
 * wire codes in their own table.
 */
export const ERROR_CATALOGUE = {
  INVALID_REQUEST: { wire: '10001', status: 400, zh: '请求参数无效', en: 'Invalid request' },
  CHALLENGE_INVALID: {
    wire: '10010',
    status: 400,
    zh: '挑战码 t 缺失、未知、已过期或已使用',
    en: 'Challenge t is missing, unknown, expired or already used',
  },
  CAPTCHA_WRONG: { wire: '10011', status: 400, zh: '验证码错误', en: 'Wrong captcha' },
  BAD_CREDENTIALS: { wire: '10020', status: 401, zh: '账号或密码错误', en: 'Wrong account or password' },
  ACCOUNT_LOCKED: {
    wire: '10021',
    status: 423,
    zh: '账号暂时锁定，请稍后再试',
    en: 'Account temporarily locked, try again later',
  },
  ACCOUNT_DISABLED: { wire: '10022', status: 403, zh: '账号已停用', en: 'Account disabled' },
  RATE_LIMITED: { wire: '10023', status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  REFRESH_TOKEN_INVALID: {
    wire: '10024',
    status: 401,
    zh: '刷新令牌已过期或无效，请重新登录',
    en: 'Refresh token expired or invalid: log in again',
  },
  ACCESS_TOKEN_MISSING: { wire: '10025', status: 401, zh: '缺少访问令牌', en: 'Access token missing' },
  ACCESS_TOKEN_RENEWED: {
    wire: '10026',
    status: 401,
    zh: '访问令牌已过期，已附带新令牌',
    en: 'Access token expired, a new token pair is attached',
  },
  ACCESS_TOKEN_EXPIRED: {
    wire: '10027',
    status: 401,
    zh: '访问令牌已过期，请刷新',
    en: 'Access token expired: refresh it',
  },
  ACCESS_TOKEN_INVALID: { wire: '10028', status: 401, zh: '访问令牌无效', en: 'Access token invalid' },
  FORBIDDEN: { wire: '10030', status: 403, zh: '无权访问', en: 'Forbidden' },
  CONFLICT: { wire: '10040', status: 409, zh: '资源冲突', en: 'Conflict' },
  NOT_FOUND: { wire: '10044', status: 404, zh: '资源不存在', en: 'Not found' },
  MFA_REQUIRED: { wire: '10060', status: 401, zh: '需要第二重验证', en: 'Second factor required' },
  MFA_WRONG: { wire: '10061', status: 401, zh: '第二重验证码错误', en: 'Wrong second factor' },
  MFA_TICKET_INVALID: {
    wire: '10062',
    status: 400,
    zh: '多因素验证票据缺失、未知、已过期或已使用',
    en: 'MFA ticket missing, unknown, expired or already used',
  },
  STEP_UP_REQUIRED: { wire: '10063', status: 401, zh: '需要重新验证身份', en: 'Recent authentication required' },
  MFA_ENROLL_REQUIRED: { wire: '10064', status: 401, zh: '请先设置第二重验证', en: 'Enroll a second factor first' },
  INTERNAL: { wire: '10050', status: 500, zh: '服务器内部错误', en: 'Internal error' },
  STORE_UNAVAILABLE: {
    wire: '10051',
    status: 503,
    zh: '存储暂不可用，请稍后再试',
    en: 'Store unavailable, try again later',
  },
} as const satisfies Record<string, ErrorEntry>;

/** One row of the error catalogue. */
export interface ErrorEntry {
  /** Wire code sent in `code` by the standard and mmm dialects. */
  readonly wire: string;
  /** HTTP status of the answer. */
  readonly status: number;
  /** Message in zh-CN (the default language). */
  readonly zh: string;
  /** Message in English. */
  readonly en: string;
}

/** Internal, stable name of an error (`BAD_CREDENTIALS`, …). */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Wire code of success in the `{code,msg,data}` envelope. */
export const SUCCESS_CODE = '00000';

/** Success messages by language. */
export const SUCCESS_MESSAGE = { zh: '成功', en: 'Success' } as const;

/** Languages the server answers in. */
export type Language = 'zh' | 'en';

/**
 * Picks the answer language from an `Accept-Language` header: English when the
 * first language tag the client prefers is English, zh-CN otherwise (default).
 */
export function pickLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((l) => l.tag.startsWith('en') || l.tag.startsWith('zh'))
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh';
}
