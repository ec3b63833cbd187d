import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userForApiKey } from '../auth/apiKeys.js';
import { SESSION_COOKIE, userForSession } from '../auth/sessions.js';
import { hashToken } from '../auth/tokens.js';
import type { UserRow } from '../auth/users.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { forbidden, unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRow | null;
  }
  interface FastifyInstance {
    /** Drops cached credential lookups: a logout or revocation on this node counts at once. */
    forgetCredentials(): void;
  }
  interface FastifyContextConfig {
    /** The route answers without credentials. */
    anonymous?: boolean;
    /** The route needs an administrator. */
    admin?: boolean;
  }
}

/** How long a credential lookup is trusted; revocations reach every node within this. */
export const AUTH_CACHE_MS = 1000;

function credentialOf(req: FastifyRequest): { kind: 'key' | 'session'; value: string } | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return { kind: 'key', value: header };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { kind: 'key', value: auth.slice(7).trim() };
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie) return { kind: 'session', value: cookie };
  return undefined;
}

export function registerAuth(app: FastifyInstance, shoal: ShoalDb): { forget(): void } {
  const cache = new Map<string, { user: UserRow | undefined; at: number }>();
  app.decorateRequest('user', null);
  // onRequest (after the cookie plugin's): credentials are checked before the body is read
  // or validated, so an anonymous caller learns nothing about a route's schema.
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config;
    const cred = credentialOf(req);
    if (cred) {
      const cacheKey = `${cred.kind}:${hashToken(cred.value)}`;
      let hit = cache.get(cacheKey);
      if (!hit || Date.now() - hit.at > AUTH_CACHE_MS) {
        const user = cred.kind === 'key' ? await userForApiKey(shoal, cred.value) : await userForSession(shoal, cred.value);
        hit = { user, at: Date.now() };
        if (cache.size > 10_000) cache.clear();
        cache.set(cacheKey, hit);
      }
      req.user = hit.user ?? null;
    }
    // Only the API is guarded; the portal's static files are public.
    if (config.anonymous || !req.url.startsWith('/api/')) return;
    if (!req.user) throw unauthorized(cred ? 'The API key or session is not valid (revoked, expired or unknown).' : undefined);
    if (config.admin && !req.user.is_admin) throw forbidden();
  });
  const forget = () => cache.clear();
  app.decorate('forgetCredentials', forget);
  return { forget };
}
