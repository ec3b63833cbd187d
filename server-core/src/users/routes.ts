import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { ApiError, badRequest, conflict, notFound, tooManyRequests, unauthorized } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { createApiKey, listApiKeys, revokeApiKey, toApiKeyResource } from '../auth/apiKeys.js';
import { LoginThrottle, throttleKeys } from '../auth/loginThrottle.js';
import { PasswordHashingBusy } from '../auth/passwords.js';
import {
  createSession,
  deleteSession,
  deleteSessionById,
  deleteSessionsOfUser,
  listSessionsOfUser,
  SESSION_COOKIE,
  SESSION_TTL_MS,
} from '../auth/sessions.js';
import { teamIdByName } from '../auth/teams.js';
import { otherEnabledAdmins, parseNumericId, toUserResource, toUserResources } from '../auth/userResource.js';
import {
  createUser,
  deleteUser,
  findUserByCredentials,
  getUser,
  listUsers,
  passwordMatches,
  PasswordPolicyError,
  setDisabled,
  setPassword,
  type UserRow,
} from '../auth/users.js';
import { userEndpoints } from '../contract/users.js';

const teamNumbers = (ids: string[] | undefined) => (ids ?? []).map((t) => parseNumericId('Teams', t)!);
const keyNumber = (id: string) => parseNumericId('ApiKeys', id)!;

/** Login and sessions, the caller's own account and API keys, and user administration. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const throttle = new LoginThrottle(ctx.shoal);
  const audit = (req: FastifyRequest, action: string, target?: string, details?: unknown) =>
    recordEvent(ctx.shoal, { username: req.user?.username ?? null, action, target, details, clientIp: req.ip });
  const loadUser = async (id: string): Promise<UserRow> => {
    const n = parseNumericId('Users', id);
    const user = n === undefined ? undefined : await getUser(ctx.shoal, n);
    if (!user) throw notFound(`There is no user ${id}.`);
    return user;
  };
  const policy = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof PasswordPolicyError) throw badRequest(err.message);
      throw err;
    }
  };
  const assertTeamsExist = async (ids: number[]) => {
    if (!ids.length) return;
    const found = await ctx.shoal.db.selectFrom('teams').select('id').where('id', 'in', ids).execute();
    const missing = ids.find((id) => !found.some((t) => Number(t.id) === id));
    if (missing !== undefined) throw badRequest(`teamIds: there is no team Teams-${missing}`);
  };
  /** Refuses a change that would leave the install with no enabled administrator. */
  const keepAnAdmin = async (user: UserRow, what: string) => {
    if ((await toUserResource(ctx.shoal, user)).isAdmin && (await otherEnabledAdmins(ctx.shoal, Number(user.id))) === 0) {
      throw conflict(`${user.username} is the last enabled administrator; ${what} would leave nobody able to administer Shoal.`);
    }
  };

  app.post(userEndpoints.login.url, { schema: endpointSchema(userEndpoints.login), config: { access: 'anonymous' } }, async (req, reply) => {
    // No session yet, so no CSRF header; but a browser's cross-site form or fetch carries
    // its Origin, and only this node's own pages may log in.
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && safeHost(origin) !== req.headers.host) {
      throw new ApiError(403, 'ForeignOrigin', 'Logging in from another site is refused.');
    }
    if (origin === 'null') throw new ApiError(403, 'ForeignOrigin', 'Logging in from another site is refused.');
    const keys = throttleKeys(req.body.username, req.ip);
    const wait = await throttle.waitMs(keys);
    if (wait > 0) throw tooManyRequests(`Too many failed logins; try again in ${Math.ceil(wait / 1000)} s.`, wait);
    let user: UserRow | undefined;
    try {
      user = await findUserByCredentials(ctx.shoal, req.body.username, req.body.password);
    } catch (err) {
      if (err instanceof PasswordHashingBusy) throw tooManyRequests(err.message, 1000);
      throw err;
    }
    if (!user) {
      if (await throttle.failed(keys)) {
        await recordEvent(ctx.shoal, { username: req.body.username, action: 'user.login-failed', clientIp: req.ip });
      }
      throw unauthorized('The username or password is wrong.');
    }
    await throttle.succeeded(keys);
    const token = await createSession(ctx.shoal, Number(user.id));
    await recordEvent(ctx.shoal, { username: user.username, action: 'user.login', clientIp: req.ip });
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: req.protocol === 'https',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return toUserResource(ctx.shoal, user);
  });

  app.post(userEndpoints.logout.url, { schema: endpointSchema(userEndpoints.logout), config: { access: 'authenticated' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await deleteSession(ctx.shoal, token);
    app.forgetCredentials();
    await audit(req, 'user.logout');
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get(userEndpoints.me.url, { schema: endpointSchema(userEndpoints.me), config: { access: 'authenticated' } }, async (req) => toUserResource(ctx.shoal, req.user!));

  app.put(userEndpoints.changeOwnPassword.url, { schema: endpointSchema(userEndpoints.changeOwnPassword), config: { access: 'authenticated' } },
    async (req, reply) => {
      if (!(await passwordMatches(req.user!, req.body.currentPassword))) throw badRequest('currentPassword is wrong');
      await policy(() => setPassword(ctx.shoal, Number(req.user!.id), req.body.newPassword, req.user!.username));
      // Every other session ends; this one stays.
      const token = req.cookies[SESSION_COOKIE];
      await deleteSessionsOfUser(ctx.shoal, Number(req.user!.id));
      if (token && req.principal!.via === 'session') {
        reply.setCookie(SESSION_COOKIE, await createSession(ctx.shoal, Number(req.user!.id)), {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure: req.protocol === 'https',
          maxAge: SESSION_TTL_MS / 1000,
        });
      }
      app.forgetCredentials();
      await audit(req, 'user.password-change', req.user!.username);
      return reply.status(204).send(null);
    },
  );

  app.get(userEndpoints.listUsers.url, { schema: endpointSchema(userEndpoints.listUsers), config: { access: 'admin' } }, async () => toUserResources(ctx.shoal, await listUsers(ctx.shoal)));

  app.post(userEndpoints.createUser.url, { schema: endpointSchema(userEndpoints.createUser), config: { access: 'admin' } }, async (req, reply) => {
    const existing = (await listUsers(ctx.shoal)).some((u) => u.username.toLowerCase() === req.body.username.toLowerCase());
    if (existing) throw conflict(`A user named ${req.body.username} already exists.`);
    const teams = teamNumbers(req.body.teamIds);
    if (req.body.isAdmin) teams.push((await teamIdByName(ctx.shoal, 'Administrators'))!);
    await assertTeamsExist(teams);
    const user = await policy(() => createUser(ctx.shoal, req.body.username, req.body.password, teams));
    await audit(req, 'user.create', user.username, { teamIds: teams });
    return reply.status(201).send(await toUserResource(ctx.shoal, user));
  });

  app.get(userEndpoints.getUser.url, { schema: endpointSchema(userEndpoints.getUser), config: { access: 'admin' } }, async (req) =>
    toUserResource(ctx.shoal, await loadUser(req.params.id)),
  );

  app.patch(userEndpoints.updateUser.url, { schema: endpointSchema(userEndpoints.updateUser), config: { access: 'admin' } },
    async (req) => {
      const user = await loadUser(req.params.id);
      const id = Number(user.id);
      if (req.body.teamIds) {
        const teams = teamNumbers(req.body.teamIds);
        await assertTeamsExist(teams);
        const stillAdmin = (await adminTeamIds(ctx)).some((t) => teams.includes(t));
        if (!stillAdmin) await keepAnAdmin(user, 'removing them from every administrators team');
        await ctx.shoal.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('team_members').where('user_id', '=', id).execute();
          if (teams.length) await trx.insertInto('team_members').values(teams.map((t) => ({ team_id: t, user_id: id }))).execute();
        });
      }
      if (req.body.disabled !== undefined) {
        if (req.body.disabled) {
          if (id === Number(req.user!.id)) throw conflict('You cannot disable yourself.');
          await keepAnAdmin(user, 'disabling them');
        }
        await setDisabled(ctx.shoal, id, req.body.disabled);
        if (req.body.disabled) await deleteSessionsOfUser(ctx.shoal, id);
      }
      app.forgetCredentials();
      await audit(req, 'user.update', user.username, req.body);
      return toUserResource(ctx.shoal, (await getUser(ctx.shoal, id))!);
    },
  );

  app.delete(userEndpoints.deleteUser.url, { schema: endpointSchema(userEndpoints.deleteUser), config: { access: 'admin' } }, async (req, reply) => {
    const user = await loadUser(req.params.id);
    if (Number(user.id) === Number(req.user!.id)) throw conflict('You cannot delete yourself.');
    await keepAnAdmin(user, 'deleting them');
    await deleteUser(ctx.shoal, Number(user.id));
    app.forgetCredentials();
    await audit(req, 'user.delete', user.username);
    return reply.status(204).send(null);
  });

  app.put(userEndpoints.resetPassword.url, { schema: endpointSchema(userEndpoints.resetPassword), config: { access: 'admin' } },
    async (req, reply) => {
      const user = await loadUser(req.params.id);
      await policy(() => setPassword(ctx.shoal, Number(user.id), req.body.newPassword, user.username));
      await deleteSessionsOfUser(ctx.shoal, Number(user.id));
      app.forgetCredentials();
      await audit(req, 'user.password-reset', user.username);
      return reply.status(204).send(null);
    },
  );

  app.get(userEndpoints.listUserKeys.url, { schema: endpointSchema(userEndpoints.listUserKeys), config: { access: 'admin' } }, async (req) =>
    (await listApiKeys(ctx.shoal, Number((await loadUser(req.params.id)).id))).map(toApiKeyResource),
  );

  app.delete(userEndpoints.revokeUserKey.url, { schema: endpointSchema(userEndpoints.revokeUserKey), config: { access: 'admin' } },
    async (req, reply) => {
      const user = await loadUser(req.params.id);
      if (!(await revokeApiKey(ctx.shoal, Number(user.id), keyNumber(req.params.keyId)))) throw notFound(`${user.username} has no active API key ${req.params.keyId}.`);
      app.forgetCredentials();
      await audit(req, 'apikey.revoke', `ApiKeys-${keyNumber(req.params.keyId)}`, { user: user.username });
      return reply.status(204).send(null);
    },
  );

  app.get(userEndpoints.listUserSessions.url, { schema: endpointSchema(userEndpoints.listUserSessions), config: { access: 'admin' } }, async (req) =>
    listSessionsOfUser(ctx.shoal, Number((await loadUser(req.params.id)).id)),
  );

  app.delete(userEndpoints.endUserSessions.url, { schema: endpointSchema(userEndpoints.endUserSessions), config: { access: 'admin' } }, async (req, reply) => {
    const user = await loadUser(req.params.id);
    const ended = await deleteSessionsOfUser(ctx.shoal, Number(user.id));
    app.forgetCredentials();
    await audit(req, 'user.sessions-end', user.username, { sessions: ended });
    return reply.status(204).send(null);
  });

  app.delete(userEndpoints.endUserSession.url, { schema: endpointSchema(userEndpoints.endUserSession), config: { access: 'admin' } },
    async (req, reply) => {
      const user = await loadUser(req.params.id);
      if (!(await deleteSessionById(ctx.shoal, Number(user.id), req.params.sessionId))) throw notFound(`${user.username} has no session ${req.params.sessionId}.`);
      app.forgetCredentials();
      await audit(req, 'user.session-end', user.username, { session: req.params.sessionId });
      return reply.status(204).send(null);
    },
  );

  app.get(userEndpoints.listOwnKeys.url, { schema: endpointSchema(userEndpoints.listOwnKeys), config: { access: 'authenticated' } }, async (req) => (await listApiKeys(ctx.shoal, Number(req.user!.id))).map(toApiKeyResource));

  app.post(userEndpoints.createOwnKey.url, { schema: endpointSchema(userEndpoints.createOwnKey), config: { access: 'authenticated' } }, async (req, reply) => {
    const expiresAt = req.body.expiresAt === undefined ? undefined : Date.parse(req.body.expiresAt);
    if (expiresAt !== undefined && !(expiresAt > Date.now())) throw badRequest('expiresAt must be a time in the future');
    const { key, row } = await createApiKey(ctx.shoal, Number(req.user!.id), { name: req.body.name, expiresAt, readOnly: req.body.readOnly });
    await audit(req, 'apikey.create', `ApiKeys-${row.id}`, { readOnly: !!req.body.readOnly, expiresAt: req.body.expiresAt ?? null });
    return reply.status(201).send({ ...toApiKeyResource(row), apiKey: key });
  });

  app.delete(userEndpoints.revokeOwnKey.url, { schema: endpointSchema(userEndpoints.revokeOwnKey), config: { access: 'authenticated' } }, async (req, reply) => {
    const id = keyNumber(req.params.id);
    if (!(await revokeApiKey(ctx.shoal, Number(req.user!.id), id))) throw notFound(`You have no active API key ${req.params.id}.`);
    app.forgetCredentials();
    await audit(req, 'apikey.revoke', `ApiKeys-${id}`);
    return reply.status(204).send(null);
  });
};

async function adminTeamIds(ctx: NodeContext): Promise<number[]> {
  const rows = await ctx.shoal.db.selectFrom('teams').select(['id', 'roles']).execute();
  return rows.filter((t) => t.roles.split(',').includes('Admin')).map((t) => Number(t.id));
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
