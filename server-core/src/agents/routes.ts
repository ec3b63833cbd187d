import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../api/errors.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { targetEndpoints as e } from '../contract/targets.js';
import type { NodeContext } from '../nodeContext.js';
import { actorOf } from '../resources/actor.js';
import { missing, parseId, requireId } from '../resources/ids.js';
import { queueFirstHealthCheck } from './contact.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { findTarget, listTargets, toTarget } from './targetRows.js';
import { checkRegistrationToken, createRegistrationToken, deleteTarget, registerTarget, updateTarget } from './targetService.js';

/**
 * Deployment targets. Registering, changing and removing them is `admin` (registering also
 * anonymous with a one-time token, whose scope the token carries); reading them is `read`.
 */
export const targetRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal, comms } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  /**
   * What the agent pins and where it polls: the configured public comms address, else this host
   * on this node's comms port. A listening target's first health check is queued at once: a
   * node dials it (and keeps dialing while its agent starts).
   */
  const registration = async (req: FastifyRequest, target: Awaited<ReturnType<typeof registerTarget>>) => {
    if (target.mode === 'Listening') {
      await queueFirstHealthCheck(shoal, parseId('target', target.id)!, target.name);
      ctx.executor.queueChanged();
    }
    const host = req.hostname.includes(':') && !req.hostname.startsWith('[') ? `[${req.hostname}]` : req.hostname;
    return { target, clusterCertificate: comms.certificate.cert, clusterThumbprint: comms.certificate.thumbprint, commsUrl: comms.publicUrl ?? `https://${host}:${comms.port()}` };
  };

  app.get(e.listTargets.url, { schema: endpointSchema(e.listTargets), config: { access: 'read' } }, async (req) => (await listTargets(shoal, req.params.spaceId)).map(toTarget));

  app.post(e.registerTargetWithKey.url, { schema: endpointSchema(e.registerTargetWithKey), config: { access: 'admin' } }, async (req, reply) => {
    if (req.body.token) throw badRequest('token: registration tokens go to POST /api/{spaceId}/targets/register, without other credentials.');
    return reply.status(201).send(await registration(req, await registerTarget(shoal, { actor: actorOf(req) }, req.params.spaceId, req.body)));
  });

  // The token first (before the body's schema, the space and the names are looked at): without a valid one, a 401 and nothing else.
  const tokenFirst = async (req: FastifyRequest<{ Params: { spaceId: string } }>) => {
    await checkRegistrationToken(shoal, req.params.spaceId, (req.body as { token?: unknown } | undefined)?.token);
  };
  app.post(e.registerTargetWithToken.url, { schema: endpointSchema(e.registerTargetWithToken), config: { access: 'anonymous' }, preValidation: tokenFirst }, async (req, reply) => {
    if (!req.body.token) throw badRequest('token: a registration token is needed (or register with an API key at POST /api/{spaceId}/targets).');
    return reply.status(201).send(await registration(req, await registerTarget(shoal, { token: req.body.token, clientIp: req.ip }, req.params.spaceId, req.body)));
  });

  app.post(e.createRegistrationToken.url, { schema: endpointSchema(e.createRegistrationToken), config: { access: 'admin' } }, async (req, reply) =>
    reply.status(201).send(await createRegistrationToken(shoal, actorOf(req), req.params.spaceId, req.body)),
  );

  app.get(e.getTarget.url, { schema: endpointSchema(e.getTarget), config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    const t = await findTarget(shoal, spaceId, requireId('target', id, spaceId));
    if (!t) throw missing('target', id, spaceId);
    return toTarget(t);
  });

  app.put(e.updateTarget.url, { schema: endpointSchema(e.updateTarget), config: { access: 'admin' } }, async (req) =>
    updateTarget(shoal, actorOf(req), req.params.spaceId, requireId('target', req.params.id, req.params.spaceId), req.body),
  );

  app.delete(e.deleteTarget.url, { schema: endpointSchema(e.deleteTarget), config: { access: 'admin' } }, async (req, reply) => {
    await deleteTarget(shoal, actorOf(req), req.params.spaceId, requireId('target', req.params.id, req.params.spaceId));
    return reply.status(204).send(null);
  });
};
