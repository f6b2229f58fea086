/** Unix seconds (as text, from the URL) to the value of an `<input type="datetime-local">`, in local time; '' for none. */
export function toLocalInput(unixSeconds: string): string {
  if (!unixSeconds) return '';
  const date = new Date(Number(unixSeconds) * 1000);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The value of an `<input type="datetime-local">` (local time) to unix seconds as text; '' for none or an invalid value. */
export function fromLocalInput(value: string): string {
  const ms = value ? new Date(value).getTime() : NaN;
  return Number.isNaN(ms) ? '' : String(Math.floor(ms / 1000));
}
