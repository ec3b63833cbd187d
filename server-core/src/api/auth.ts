import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { isNodeCredential, NODE_CREDENTIAL_HEADER } from '../auth/nodeCredential.js';
import type { Permission } from '../auth/permissions.js';
import { principalFor, type Credential, type Principal } from '../auth/principal.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { hashToken } from '../auth/tokens.js';
import type { UserRow } from '../auth/users.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { ApiError, forbidden, unauthorized } from './errors.js';

/**
 * Who may call a route, declared on the route itself (`config.access`):
 * - `anonymous`: anyone (the pings, login, the portal's static files);
 * - `authenticated`: any user, for their own things (who am I, log out, own API keys);
 * - a permission: users whose roles grant it;
 * - `node`: other nodes of this cluster only, by the credential derived from the master key.
 */
export type Access = 'anonymous' | 'authenticated' | 'node' | Permission;

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once authenticated; null on anonymous routes called without credentials. */
    principal: Principal | null;
    /** Shortcut to `principal.user`. */
    user: UserRow | null;
  }
  interface FastifyInstance {
    /** Drops cached credential lookups: a logout or revocation on this node counts at once. */
    forgetCredentials(): void;
    /** Every route the app serves, as registered, with its declared access. */
    readonly declaredRoutes: DeclaredRoute[];
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** How long a credential lookup is trusted; revocations reach every node within this. */
export const AUTH_CACHE_MS = 1000;

/** Non-GET requests made with the session cookie must carry this header (any value): cross-site pages cannot set it. */
export const CSRF_HEADER = 'x-shoal-request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function credentialOf(req: FastifyRequest): Credential | undefined {
  for (const name of ['x-api-key', 'x-octopus-apikey']) {
    const header = req.headers[name];
    if (typeof header === 'string' && header) return { kind: 'key', value: header };
  }
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { kind: 'key', value: auth.slice(7).trim() };
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie) return { kind: 'session', value: cookie };
  return undefined;
}

export interface DeclaredRoute {
  method: string;
  /** As registered, e.g. `/api/tasks/:id/log`. */
  url: string;
  access: Access;
  /** The route's schemas as registered (params, querystring, body, response). */
  schema: RouteOptions['schema'];
  /** The route's config as declared (its access, and whose shapes it answers in). */
  config: RouteOptions['config'];
}

/**
 * Refuses to start an app with a route that does not say who may call it: the access
 * decision is always the matched route's, never a guess from the URL's text. Records
 * every route (HEAD twins included) in `app.declaredRoutes`.
 */
export function requireDeclaredAccess(app: FastifyInstance): void {
  const routes: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    if (!access) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access); every route must say who may call it`);
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access, schema: route.schema, config: route.config });
  });
}

/**
 * Authentication and permission, decided from the route Fastify matched (its declared
 * access), before the body is read and before any handler runs. A request that matches no
 * route goes to the not-found handler, which changes nothing.
 */
export function registerAuth(app: FastifyInstance, shoal: ShoalDb, clusterNodeCredential: string): void {
  const cache = new Map<string, { principal: Principal | undefined; at: number }>();
  app.decorateRequest('principal', null);
  app.decorateRequest('user', null);
  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = req.routeOptions.config.access;
    if (!access) throw forbidden('This route declares no access and is refused.');
    // Another node of this cluster: nothing else to check. Users never pass (below).
    if (access === 'node' && isNodeCredential(req.headers[NODE_CREDENTIAL_HEADER], clusterNodeCredential)) return;
    const cred = credentialOf(req);
    if (cred) {
      const cacheKey = `${cred.kind}:${hashToken(cred.value)}`;
      let hit = cache.get(cacheKey);
      if (!hit || Date.now() - hit.at > AUTH_CACHE_MS) {
        hit = { principal: await principalFor(shoal, cred), at: Date.now() };
        if (cache.size > 10_000) cache.clear();
        cache.set(cacheKey, hit);
      }
      req.principal = hit.principal ?? null;
      req.user = hit.principal?.user ?? null;
    }
    if (access === 'anonymous') return;
    const p = req.principal;
    if (access === 'node') {
      if (!p) throw unauthorized('This route is for the nodes of this cluster.');
      throw forbidden('This route is for the nodes of this cluster, not for users.');
    }
    if (!p) throw unauthorized(cred ? 'The API key or session is not valid (revoked, expired, disabled or unknown).' : undefined);
    const writes = !SAFE_METHODS.has(req.method);
    if (writes && p.via === 'session' && !req.headers[CSRF_HEADER]) {
      throw new ApiError(403, 'CsrfHeaderMissing', `Requests that change something with a session cookie must carry the ${CSRF_HEADER} header.`);
    }
    if (writes && p.readOnly) throw new ApiError(403, 'ReadOnlyKey', 'This API key is read-only.');
    if (access !== 'authenticated' && !p.permissions.has(access)) throw forbidden(permissionMessage(access));
  });
  app.decorate('forgetCredentials', () => cache.clear());
}

const PERMISSION_WORDS: Record<Permission, string> = {
  read: 'This needs the Viewer role (or any other).',
  'package.push': 'Pushing packages needs the Deployer, ProjectEditor or Admin role.',
  deploy: 'This needs the Deployer role.',
  'project.edit': 'This needs the ProjectEditor role.',
  admin: 'This needs administrator rights.',
};

export const permissionMessage = (p: Permission): string => PERMISSION_WORDS[p];
