import Bowser from 'bowser';

/** Stored user agents are at most 512 characters; parsing more would only cost time. */
const MAX_USER_AGENT_CHARS = 512;

/** The first product token of a user agent that is not a browser's (`curl/8.5.0` → `curl 8.5.0`). */
function productOf(userAgent: string): string | null {
  const token = /^\s*([A-Za-z][\w.-]{0,39})(?:\/([\w.-]{1,20}))?/.exec(userAgent);
  if (!token) return null;
  return token[2] ? `${token[1]} ${token[2]}` : token[1]!;
}

function osOf(os: { name?: string; version?: string; versionName?: string }): string | undefined {
  if (!os.name) return undefined;
  // Windows reports "NT 10.0" as its version and "10" as its name; Android and iOS are best read with their major version.
  if (os.name === 'Windows' && os.versionName) return `Windows ${os.versionName}`;
  if ((os.name === 'Android' || os.name === 'iOS') && os.version) return `${os.name} ${os.version.split('.')[0]}`;
  return os.name;
}

/**
 * A readable name of the device behind a session's User-Agent, for session
 * lists: browser and major version on an operating system ("Chrome 156 on
 * Linux", "Safari 17 on iOS 17"), or the client's product token for
 * non-browsers ("curl 8.5.0", "okhttp 4.9.0"); null without a user agent.
 * Parsed with bowser (MIT), never cut mid-word.
 *
 * @example describeDevice('Mozilla/5.0 (X11; Linux x86_64) … Chrome/156.0.0.0 Safari/537.36') // 'Chrome 156 on Linux'
 */
export function describeDevice(userAgent: string | null | undefined): string | null {
  const ua = userAgent?.slice(0, MAX_USER_AGENT_CHARS).trim();
  if (!ua) return null;
  const parsed = Bowser.parse(ua);
  const browser = parsed.browser.name ? [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ') : undefined;
  const os = osOf(parsed.os);
  if (browser) return os ? `${browser} on ${os}` : browser;
  return productOf(ua) ?? os ?? null;
}
