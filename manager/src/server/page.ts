/**
 * The page shoal-manager serves at / (no redirect: the token stays in the fragment) with its
 * script and style, under a strict Content-Security-Policy. A minimal page that proves the
 * flow; the real screens come from the renderer.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';

const PUBLIC = new URL('../../public/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/manager.js': { file: 'manager.js', type: 'text/javascript; charset=utf-8' },
  '/manager.css': { file: 'manager.css', type: 'text/css; charset=utf-8' },
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerPage(app: FastifyInstance): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    const body = fs.readFileSync(new URL(file, PUBLIC));
    app.get(route, { config: { public: true } }, async (_req, reply) =>
      reply
        .type(type)
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(body),
    );
  }
}
