import { ref } from 'vue';

/** Languages of the console (the server answers in the same one through `Accept-Language`). */
export type Lang = 'zh-CN' | 'en';

const zh = {
  title: 'duotoken 控制台',
  account: '账号',
  password: '密码',
  captcha: '验证码',
  captchaHint: '看不清？点击图片换一张',
  signIn: '登录',
  signOut: '退出登录',
  signingIn: '登录中…',
  whoAmI: '我是谁',
  name: '姓名',
  admin: '平台管理员',
  company: '当前公司',
  noCompany: '（无）',
  switchCompany: '切换公司',
  roles: '角色',
  accessToken: '访问令牌',
  expiresIn: '{time} 后过期',
  expired: '已过期，下次调用时自动刷新',
  refreshToken: '刷新令牌有效期至',
  refreshNow: '立即刷新',
  reload: '重新加载',
  sessions: '我的会话',
  device: '设备',
  ip: 'IP',
  created: '登录时间',
  lastUsed: '最近使用',
  thisDevice: '本设备',
  revoke: '注销',
  sessionEnded: '会话已结束，请重新登录。',
  unknown: '未知',
} as const;

type Messages = Record<keyof typeof zh, string>;

const en: Messages = {
  title: 'duotoken console',
  account: 'Account',
  password: 'Password',
  captcha: 'Captcha',
  captchaHint: 'Hard to read? Click the image for a new one',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signingIn: 'Signing in…',
  whoAmI: 'Who am I',
  name: 'Name',
  admin: 'Platform administrator',
  company: 'Current company',
  noCompany: '(none)',
  switchCompany: 'Switch company',
  roles: 'Roles',
  accessToken: 'Access token',
  expiresIn: 'expires in {time}',
  expired: 'expired: refreshed on the next call',
  refreshToken: 'Refresh token valid until',
  refreshNow: 'Refresh now',
  reload: 'Reload',
  sessions: 'My sessions',
  device: 'Device',
  ip: 'IP',
  created: 'Signed in',
  lastUsed: 'Last used',
  thisDevice: 'this device',
  revoke: 'Revoke',
  sessionEnded: 'Your session has ended. Please sign in again.',
  unknown: 'unknown',
};

const dictionaries: Record<Lang, Messages> = { 'zh-CN': zh, en };

/** A message key. */
export type MessageKey = keyof Messages;

const STORAGE_KEY = 'duotoken-console-lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** The current language (reactive). */
export const lang = ref<Lang>(initialLang());
document.documentElement.lang = lang.value;

/** Switches the language and remembers it. */
export function setLang(next: Lang): void {
  lang.value = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The message `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return dictionaries[lang.value][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** A unix-seconds time as a local date and time in the current language. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(lang.value);
}
