const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration given as seconds (`900`, `"900"`) or as `"15m"`-style text
 * (`s`, `m`, `h`, `d`, combinable: `"1h30m"`). Returns whole seconds, or
 * `undefined` when the text is not a duration.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = text.match(/^(?:\d+[smhd])+$/) ? text.match(/\d+[smhd]/g) : null;
  if (!parts) return undefined;
  return parts.reduce((sum, part) => sum + Number(part.slice(0, -1)) * UNIT_SECONDS[part.slice(-1)]!, 0);
}
