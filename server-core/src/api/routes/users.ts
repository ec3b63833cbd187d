import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey, toApiKeyResource } from '../../auth/apiKeys.js';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/sessions.js';
import { createUser, findUserByCredentials, listUsers, toUserResource } from '../../auth/users.js';
import { recordEvent } from '../../audit/events.js';
import type { NodeContext } from '../context.js';
import { conflict, notFound, unauthorized } from '../errors.js';

const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
const NewUser = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._@-]+$' }),
    password: Type.String({ minLength: 8, maxLength: 1000 }),
    isAdmin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const NewKey = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
const KeyParams = Type.Object({ id: Type.String({ pattern: '^(ApiKeys-)?[0-9]{1,15}$' }) });

export function userRoutes(app: FastifyInstance, ctx: NodeContext): void {
  app.post<{ Body: Static<typeof Login> }>('/api/users/login', { schema: { body: Login }, config: { anonymous: true } }, async (req, reply) => {
    const user = await findUserByCredentials(ctx.shoal, req.body.username, req.body.password);
    if (!user) {
      await recordEvent(ctx.shoal, { username: req.body.username, action: 'user.login-failed', clientIp: req.ip });
      throw unauthorized('The username or password is wrong.');
    }
    const token = await createSession(ctx.shoal, Number(user.id));
    await recordEvent(ctx.shoal, { username: user.username, action: 'user.login', clientIp: req.ip });
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return toUserResource(user);
  });

  app.post('/api/users/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await deleteSession(ctx.shoal, token);
    app.forgetCredentials();
    if (req.user) await recordEvent(ctx.shoal, { username: req.user.username, action: 'user.logout', clientIp: req.ip });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/users/me', async (req) => toUserResource(req.user!));

  app.get('/api/users', { config: { admin: true } }, async () => (await listUsers(ctx.shoal)).map(toUserResource));

  app.post<{ Body: Static<typeof NewUser> }>('/api/users', { schema: { body: NewUser }, config: { admin: true } }, async (req, reply) => {
    const existing = (await listUsers(ctx.shoal)).some((u) => u.username.toLowerCase() === req.body.username.toLowerCase());
    if (existing) throw conflict(`A user named ${req.body.username} already exists.`);
    const user = await createUser(ctx.shoal, req.body.username, req.body.password, req.body.isAdmin ?? false);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'user.create', target: user.username, clientIp: req.ip });
    return reply.status(201).send(toUserResource(user));
  });

  app.get('/api/users/me/apikeys', async (req) => (await listApiKeys(ctx.shoal, Number(req.user!.id))).map(toApiKeyResource));

  app.post<{ Body: Static<typeof NewKey> }>('/api/users/me/apikeys', { schema: { body: NewKey } }, async (req, reply) => {
    const { key, row } = await createApiKey(ctx.shoal, Number(req.user!.id), req.body.name);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'apikey.create', target: `ApiKeys-${row.id}`, clientIp: req.ip });
    return reply.status(201).send({ ...toApiKeyResource(row), apiKey: key });
  });

  app.delete<{ Params: Static<typeof KeyParams> }>('/api/users/me/apikeys/:id', { schema: { params: KeyParams } }, async (req, reply) => {
    const id = Number(req.params.id.replace('ApiKeys-', ''));
    if (!(await revokeApiKey(ctx.shoal, Number(req.user!.id), id))) throw notFound(`You have no active API key ${req.params.id}.`);
    app.forgetCredentials();
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'apikey.revoke', target: `ApiKeys-${id}`, clientIp: req.ip });
    return reply.status(204).send();
  });
}
