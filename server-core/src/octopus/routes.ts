import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { endpointSchema } from '../api/endpointSchema.js';
import { octopusEndpoints as e } from '../contract/octopus.js';
import type { NodeContext } from '../nodeContext.js';
import { collection, matchesIds, matchesPartialName } from './collection.js';
import { answerOctopus, type OctopusHandler } from './dialect.js';
import { octopusQuery } from './query.js';
import { listSpaces, requireSpaceRow, toNativeSpaceRoot, toOctopusSpace } from './spaces.js';

/** The facade's own paths: ones only Octopus's clients call (always in Octopus's shape), and the space root. */
export const octopusRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const octopusOnly = { octopus: 'only' } as const;
  const answer = (h: OctopusHandler) => (req: Parameters<OctopusHandler>[0], reply: Parameters<OctopusHandler>[1]) => answerOctopus(h, req, reply);

  app.get(e.listSpaces.url, { schema: endpointSchema(e.listSpaces), config: { access: 'read', ...octopusOnly } }, answer(async (req) => {
    const q = octopusQuery(req);
    const ids = q.list('ids');
    const spaces = (await listSpaces(shoal)).filter((s) => matchesIds(s.id, ids) && matchesPartialName(s.name, q.get('partialName')));
    return collection('Space', spaces.map(toOctopusSpace), q, '/api/spaces');
  }));

  app.get(e.allSpaces.url, { schema: endpointSchema(e.allSpaces), config: { access: 'read', ...octopusOnly } }, answer(async () =>
    (await listSpaces(shoal)).map(toOctopusSpace),
  ));

  // Shared with Octopus's clients (see octopusShared): this is the native answer.
  app.get(e.spaceRoot.url, { schema: endpointSchema(e.spaceRoot), config: { access: 'read' } }, async (req) =>
    toNativeSpaceRoot(await requireSpaceRow(shoal, req.params.spaceId)),
  );
};
