import type { FastifyInstance } from 'fastify';

/** The portal loads only its own files: no inline script, nothing from elsewhere, never framed. */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Svelte sets element styles (widths of progress bars and the like) through style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HSTS = 'max-age=31536000';

/**
 * Headers on every answer: no sniffing or framing, no referrer; API answers are never
 * cached (they carry data a shared cache must not keep); the portal gets its CSP; over
 * HTTPS (directly or through a trusted proxy's X-Forwarded-Proto) browsers keep to HTTPS.
 */
export function registerSecurityHeaders(app: FastifyInstance, nodeName: string): void {
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    // Which node answered: operators behind a load balancer (and the cluster test) read it.
    reply.header('x-shoal-node', nodeName);
    if (/^\/api(\/|$)/i.test(req.url)) reply.header('cache-control', 'no-store');
    else reply.header('content-security-policy', PORTAL_CSP);
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}
