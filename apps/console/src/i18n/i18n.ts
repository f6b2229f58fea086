import en from 'element-plus/es/locale/lang/en';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import { computed, ref } from 'vue';
import { messagesEn } from './messages-en.js';
import { messagesZh, type MessageKey } from './messages-zh.js';

/** Languages of the console (the server answers in the same one through `Accept-Language`). */
export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

const dictionaries = { 'zh-CN': messagesZh, en: messagesEn } as const;
const STORAGE_KEY = 'duotoken-console-lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  // zh-CN is the default; a browser that asks for English gets English.
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** The current language (reactive). */
export const lang = ref<Lang>(initialLang());
document.documentElement.lang = lang.value;

/** Element Plus's own texts (pagination, dialogs …) in the current language. */
export const elementLocale = computed(() => (lang.value === 'en' ? en : zhCn));

/** Switches the language and remembers it (per browser, like the tokens). */
export function setLang(next: Lang): void {
  lang.value = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The message `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return dictionaries[lang.value][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** A unix-seconds time as a local date and time in the current language; `—` for none. */
export function formatTime(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined) return '—';
  return new Date(unixSeconds * 1000).toLocaleString(lang.value, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A duration in seconds as its largest unit and the next one ("3 d 4 h", "3天4小时", "45 s"); `—` for none (the HS256 secret has no age). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const units: Array<[MessageKey, number]> = [
    ['unit.day', 86_400],
    ['unit.hour', 3_600],
    ['unit.minute', 60],
    ['unit.second', 1],
  ];
  const whole = Math.max(0, Math.floor(seconds));
  const first = units.findIndex(([, size]) => whole >= size);
  if (first === -1) return t('unit.second', { n: 0 });
  const [key, size] = units[first]!;
  const parts = [t(key, { n: Math.floor(whole / size) })];
  const next = units[first + 1];
  const rest = next ? Math.floor((whole % size) / next[1]) : 0;
  if (next && rest > 0) parts.push(t(next[0], { n: rest }));
  return parts.join(lang.value === 'en' ? ' ' : '');
}

/** A number with the language's digit grouping. */
export function formatNumber(value: number): string {
  return value.toLocaleString(lang.value);
}
