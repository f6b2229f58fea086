type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** One origin as browsers send it (`scheme://host[:port]`, lower case, default port dropped), or undefined. */
function normalizeOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
    // Only what the URL parser kept: `http://*.example` parses, but no browser sends it.
    return /^[a-z0-9.\-[\]:]+$/.test(url.host) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses `DUOTOKEN_CORS_ORIGINS`: a comma list of exact origins
 * (`https://admin.example.com,http://localhost:8080`), each normalized the way
 * a browser writes its `Origin` header (so `https://A.example:443/` is
 * `https://a.example`). No wildcard, no `null`: a listed origin is one that
 * was meant (SPEC §10).
 */
export function parseCorsOrigins(raw: unknown): Parsed<string[]> {
  const items = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : []).map((s) => s.trim()).filter(Boolean);
  const origins: string[] = [];
  for (const item of items) {
    const origin = normalizeOrigin(item);
    if (!origin)
      return { ok: false, problem: `"${item}" is not an origin like https://app.example.com (scheme, host and port only; no wildcard)` };
    if (!origins.includes(origin)) origins.push(origin);
  }
  return { ok: true, value: origins };
}
