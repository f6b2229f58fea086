/** One proxied prefix: requests under `prefix` go to `target`. */
export interface UpstreamRoute {
  /** Path prefix, `/` for everything not served by duotoken itself. */
  prefix: string;
  /** Base URL of the upstream (`http://127.0.0.1:9000`, may carry a path). */
  target: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function checkTarget(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.search || url.hash || url.username || url.password) return undefined;
    return url.href.replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Parses `DUOTOKEN_UPSTREAM`: one URL (`http://127.0.0.1:9000`, everything
 * goes there) or a comma list of `prefix=url` (`/api=http://a:9000,/files=http://b:9001`).
 */
export function parseUpstreams(raw: unknown): Parsed<UpstreamRoute[]> {
  const items = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []).map((s) => s.trim()).filter(Boolean);
  const routes: UpstreamRoute[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    const prefix =
      eq < 0
        ? '/'
        : item
            .slice(0, eq)
            .trim()
            .replace(/(.)\/+$/, '$1');
    const target = checkTarget(eq < 0 ? item : item.slice(eq + 1).trim());
    if (!target) return { ok: false, problem: `"${item}": the target must be an http(s) URL without query or credentials` };
    if (!/^\/[\w\-./~]*$/.test(prefix) || prefix.includes('//') || prefix.includes('/../'))
      return { ok: false, problem: `"${item}": the prefix must be a path starting with /` };
    if (routes.some((r) => r.prefix === prefix)) return { ok: false, problem: `prefix ${prefix} is listed twice` };
    routes.push({ prefix, target });
  }
  return { ok: true, value: routes };
}
