import { AuthClientError } from '@duotoken/client';
import type { AuditQuery } from '../api/admin-api.js';
import { client } from '../api/console-client.js';

/**
 * Downloads `GET /admin/audit.csv` with the page's filters. The file comes
 * through the SDK's fetch (it carries the token, which a plain link could
 * not without putting it in the URL) and is saved from a blob URL.
 */
export async function downloadAuditCsv(query: AuditQuery): Promise<void> {
  const url = new URL('/admin/audit.csv', location.origin);
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  const res = await client.fetch(url.href);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { code?: string; msg?: string } | null;
    throw new AuthClientError(body?.code ?? 'BAD_RESPONSE', body?.msg ?? `HTTP ${res.status}`, { status: res.status });
  }
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'audit.csv';
  const href = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement('a'), { href, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
