import { toEnvironment, listEnvironments } from '../environments/environmentRows.js';
import type { NodeContext } from '../nodeContext.js';
import { toProject } from '../projects/projectRows.js';
import { requireSpace } from '../resources/space.js';
import { collection, matchesIds, matchesPartialName, pageOf } from './collection.js';
import type { OctopusHandler } from './dialect.js';
import { requireProjectByIdOrSlug, spaceProjects } from './lookup.js';
import { octopusQuery, type OctopusQuery } from './query.js';
import { toOctopusEnvironment, toOctopusProject } from './resources.js';

type SpaceParams = { spaceId: string };

/** Octopus's list filters: `ids`, `partialName`, `name` (exact, any case). */
const filtered = <T extends { Id: string; Name: string }>(all: T[], q: OctopusQuery) => {
  const ids = q.list('ids');
  const name = q.get('name');
  return all.filter((x) => matchesIds(x.Id, ids) && matchesPartialName(x.Name, q.get('partialName')) && (!name || x.Name.toLowerCase() === name.toLowerCase()));
};

/** An Octopus list of one space's resources, held in memory (few), filtered and paged as Octopus does. */
function spaceList<T extends { Id: string; Name: string }>(ctx: NodeContext, itemType: string, collectionPath: string, load: (spaceId: string) => Promise<T[]>): OctopusHandler {
  return async (req) => {
    const { spaceId } = req.params as SpaceParams;
    await requireSpace(ctx.shoal, spaceId);
    const q = octopusQuery(req);
    return collection(itemType, pageOf(filtered(await load(spaceId), q), q), q, `/api/${spaceId}/${collectionPath}`);
  };
}

/** `GET /api/{spaceId}/environments` (to an Octopus client) and `/environments/v2`. */
export const listEnvironmentsOctopus = (ctx: NodeContext) =>
  spaceList(ctx, 'Environment', 'environments', async (spaceId) => (await listEnvironments(ctx.shoal, spaceId)).map((e) => toOctopusEnvironment(toEnvironment(e))));

/** `GET /api/{spaceId}/projects` to an Octopus client (the Go CLI's fallback lookup by `partialName`). */
export const listProjectsOctopus = (ctx: NodeContext) =>
  spaceList(ctx, 'Project', 'projects', async (spaceId) => (await spaceProjects(ctx.shoal, spaceId)).map((p) => toOctopusProject(toProject(p))));

/** `GET /api/{spaceId}/projects/{idOrSlug}` to an Octopus client; a name that is neither is a 404. */
export function getProjectOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId, id } = req.params as SpaceParams & { id: string };
    await requireSpace(ctx.shoal, spaceId);
    return toOctopusProject(toProject(await requireProjectByIdOrSlug(ctx.shoal, spaceId, id)));
  };
}
