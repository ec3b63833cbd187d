import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { conflict, notFound } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { grantOfTeam, type TeamRow } from '../auth/teams.js';
import { parseNumericId, teamId, userId } from '../auth/userResource.js';
import { TeamBody, teamEndpoints } from '../contract/users.js';
import { insertReturning } from '../db/insertReturning.js';

/** Teams give users their roles; a team may limit Deployer to named environments. */
export const teamRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { db } = ctx.shoal;
  const resource = async (t: TeamRow) => {
    const members = await db.selectFrom('team_members').select('user_id').where('team_id', '=', t.id).orderBy('user_id').execute();
    const grant = grantOfTeam(t);
    return {
      id: teamId(t.id),
      name: t.name,
      description: t.description,
      roles: [...grant.roles],
      environmentIds: grant.environmentIds ? [...grant.environmentIds] : null,
      builtIn: !!t.built_in,
      memberIds: members.map((m) => userId(m.user_id)),
    };
  };
  const load = async (id: string) => {
    const n = parseNumericId('Teams', id);
    const row = n === undefined ? undefined : await db.selectFrom('teams').selectAll().where('id', '=', n).executeTakeFirst();
    if (!row) throw notFound(`There is no team ${id}.`);
    return row;
  };
  const nameTaken = async (name: string, except?: number) => {
    const rows = await db.selectFrom('teams').select(['id', 'name']).execute();
    return rows.some((r) => r.name.toLowerCase() === name.toLowerCase() && Number(r.id) !== except);
  };
  const columns = (b: TeamBody) => ({
    name: b.name,
    description: b.description ?? '',
    roles: b.roles.join(','),
    environment_ids: b.environmentIds ? JSON.stringify(b.environmentIds) : null,
  });

  app.get(teamEndpoints.listTeams.url, { schema: endpointSchema(teamEndpoints.listTeams), config: { access: 'admin' } }, async () => {
    const rows = await db.selectFrom('teams').selectAll().orderBy('id').execute();
    return Promise.all(rows.map(resource));
  });

  app.get(teamEndpoints.getTeam.url, { schema: endpointSchema(teamEndpoints.getTeam), config: { access: 'admin' } }, async (req) =>
    resource(await load(req.params.id)),
  );

  app.post(teamEndpoints.createTeam.url, { schema: endpointSchema(teamEndpoints.createTeam), config: { access: 'admin' } }, async (req, reply) => {
    if (await nameTaken(req.body.name)) throw conflict(`A team named ${req.body.name} already exists.`);
    const row = await insertReturning(ctx.shoal, 'teams', { ...columns(req.body), created_at: ctx.shoal.dialect.now() });
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'team.create', target: row.name, details: req.body, clientIp: req.ip });
    return reply.status(201).send(await resource(row));
  });

  app.put(teamEndpoints.updateTeam.url, { schema: endpointSchema(teamEndpoints.updateTeam), config: { access: 'admin' } },
    async (req) => {
      const team = await load(req.params.id);
      if (team.built_in && team.name === 'Administrators' && (!req.body.roles.includes('Admin') || req.body.name !== team.name)) {
        throw conflict('The Administrators team keeps its name and the Admin role.');
      }
      if (await nameTaken(req.body.name, Number(team.id))) throw conflict(`A team named ${req.body.name} already exists.`);
      await db.updateTable('teams').set(columns(req.body)).where('id', '=', team.id).execute();
      app.forgetCredentials();
      await recordEvent(ctx.shoal, { username: req.user!.username, action: 'team.update', target: team.name, details: req.body, clientIp: req.ip });
      return resource(await load(req.params.id));
    },
  );

  app.delete(teamEndpoints.deleteTeam.url, { schema: endpointSchema(teamEndpoints.deleteTeam), config: { access: 'admin' } }, async (req, reply) => {
    const team = await load(req.params.id);
    if (team.built_in) throw conflict(`${team.name} is built in and cannot be deleted.`);
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('team_members').where('team_id', '=', team.id).execute();
      await trx.deleteFrom('teams').where('id', '=', team.id).execute();
    });
    app.forgetCredentials();
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'team.delete', target: team.name, clientIp: req.ip });
    return reply.status(204).send(null);
  });
};
