/**
 * What every request to shoal-manager must pass: the Host must be this server's own loopback
 * address (a DNS-rebinding page has another), a session (except the page itself and the token
 * exchange), and for anything that changes state the X-Shoal-Request header and no foreign
 * Origin (a cross-site form can set neither).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type SessionGate } from './sessionGate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session: the page, its script, the token exchange. */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).header('cache-control', 'no-store').send({ error: { code, message } });
}

export function registerGuards(app: FastifyInstance, gate: SessionGate): void {
  const ownHosts = () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return [`127.0.0.1:${port}`, `localhost:${port}`];
  };
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const hosts = ownHosts();
    if (!hosts.includes(String(req.headers.host ?? '').toLowerCase())) return refuse(reply, 403, 'ForeignHost', 'This manager only answers on its own loopback address.');
    if (!SAFE_METHODS.has(req.method)) {
      const origin = req.headers.origin;
      if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return refuse(reply, 403, 'ForeignOrigin', 'Requests from another site are refused.');
      if (req.headers['x-shoal-request'] === undefined) return refuse(reply, 403, 'MissingRequestHeader', 'Changes need the X-Shoal-Request header.');
    }
    if (req.routeOptions.config?.public) return;
    if (!gate.isValid(req.cookies[SESSION_COOKIE])) return refuse(reply, 401, 'NoSession', 'No manager session: open the link shoal-manager printed when it started.');
  });
}
