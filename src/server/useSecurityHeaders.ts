import type { Plugin } from 'graphql-yoga';

/**
 * Response headers a security review expects of every endpoint: no MIME
 * sniffing, no caching of operational data by browsers or proxies, no
 * referrer leaking URLs, and for HTML (GraphiQL, when served) a content
 * security policy that allows nothing from another host and no framing.
 *
 * GraphiQL's page carries its scripts and styles inline, so the policy allows
 * inline ones, from this origin only. A page that sets a policy of its own
 * (the auditors' console, stricter) keeps it.
 */
export function useSecurityHeaders(): Plugin {
  return {
    onResponse({ response }) {
      const headers = response.headers;
      headers.set('x-content-type-options', 'nosniff');
      headers.set('referrer-policy', 'no-referrer');
      // Over any value set before: Yoga marks its server-sent events `no-cache`, which still lets a
      // browser or proxy keep a copy (only revalidated before reuse); nothing the hub serves may be kept.
      // Deleted first: on headers made from a plain object ({ 'Cache-Control': … }, as Yoga's are),
      // @whatwg-node's set() adds a lower-case key beside the original and both go out, joined.
      headers.delete('cache-control');
      headers.set('cache-control', 'no-store');
      if ((headers.get('content-type') ?? '').startsWith('text/html')) {
        if (!headers.has('content-security-policy')) {
          headers.set(
            'content-security-policy',
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
              "connect-src 'self' ws: wss:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          );
        }
        headers.set('x-frame-options', 'DENY');
      }
    },
  };
}
