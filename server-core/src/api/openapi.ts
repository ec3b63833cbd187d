import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { CSRF_HEADER } from './auth.js';

const AUTH_DESCRIPTION = [
  'Send an API key in `X-Api-Key` (or `Authorization: Bearer <key>`), or log in with `POST /api/users/login` and send the session cookie.',
  `Requests that change something with the session cookie must also carry the \`${CSRF_HEADER}\` header (any value); API keys do not need it.`,
  'Each route says who may call it in `x-access`: `anonymous`, `authenticated` (any user), or a permission granted by roles —',
  '`read` (Viewer and up), `package.push` (Deployer, ProjectEditor), `deploy` (Deployer, limited to its teams\' environments), `project.edit` (ProjectEditor), `admin` (Admin).',
].join(' ');

/**
 * The OpenAPI document, generated from every route's TypeBox schemas and declared access.
 * Routes are grouped by the first path segment after /api (their domain).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Shoal API', version, description: `The native API of a Shoal node. ${AUTH_DESCRIPTION} Errors are always {"error":{"code","message"}}.` },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          session: { type: 'apiKey', in: 'cookie', name: 'shoal_session' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access ?? 'undeclared';
      const segments = url.split('/').filter(Boolean);
      const domain = segments[1]?.startsWith(':') ? (segments[2] ?? 'api') : (segments[1] ?? 'api');
      const transformed = { ...(schema ?? {}), tags: [domain], 'x-access': access } as Record<string, unknown>;
      if (access !== 'anonymous') transformed.security = [{ apiKey: [] }, { session: [] }];
      return { schema: transformed as never, url };
    },
  });
}
