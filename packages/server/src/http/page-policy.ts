import type { FastifyReply } from 'fastify';

/**
 * Content-Security-Policy of the pages duotoken serves (the console, the API
 * documentation): scripts, styles and requests from this origin only, no
 * plugins, and never framed (a page that holds tokens or a login form).
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the page policy on an answer: the CSP, and `X-Frame-Options` for browsers that predate `frame-ancestors`. */
export function addPagePolicy(reply: FastifyReply): void {
  void reply.header('content-security-policy', PAGE_CSP).header('x-frame-options', 'DENY');
}
