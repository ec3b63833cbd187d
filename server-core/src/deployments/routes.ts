import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest, conflict } from '../api/errors.js';
import { deploymentEndpoints as e } from '../contract/deployments.js';
import { findRelease } from './releaseRows.js';
import { releaseDetail, requireRelease } from './releaseService.js';
import { actorOf, type Actor } from '../resources/actor.js';
import { missing, parseId, requireId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import type { ReleaseRow } from './releaseRows.js';
import { dashboard } from './dashboard.js';
import { getDeployment, listDeployments } from './deploymentViews.js';
import { queueDeployment } from './service.js';

const optionalId = (kind: Parameters<typeof parseId>[0], value: string | undefined, field: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = parseId(kind, value);
  if (n === undefined) throw badRequest(`${field}: ${value} is not an id of that kind`);
  return n;
};

/**
 * Deployments (`deploy`, checked against the caller's team environments before anything
 * changes): create, redeploy, promote a release to its next environment; the dashboard.
 */
export const deploymentRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  /** Queues in one transaction, wakes the executors, answers 201 with the deployment. */
  const deploy = async (actor: Actor, spaceId: string, release: (trx: typeof shoal) => Promise<ReleaseRow>, environment: (trx: typeof shoal, r: ReleaseRow) => Promise<string>, comments: string) => {
    const queued = await unitOfWork(shoal, async (trx) => {
      const r = await release(trx);
      return queueDeployment(trx, { actor }, r, await environment(trx, r), comments, { queueExpiryMs: ctx.config.queueExpiryMs });
    });
    ctx.executor.queueChanged();
    return (await getDeployment(shoal, spaceId, queued.id))!;
  };

  app.post(e.createDeployment.url, { schema: endpointSchema(e.createDeployment), config: { access: 'deploy' } }, async (req, reply) => {
    const { spaceId } = req.params;
    const releaseRow = async (trx: typeof shoal) => {
      const id = parseId('release', req.body.releaseId);
      const row = id === undefined ? undefined : await findRelease(trx, spaceId, id);
      if (!row) throw badRequest(`releaseId: there is no release ${req.body.releaseId} in ${spaceId}`);
      return row;
    };
    return reply.status(201).send(await deploy(actorOf(req), spaceId, releaseRow, async () => req.body.environmentId, req.body.comments ?? ''));
  });

  app.get(e.listDeployments.url, { schema: endpointSchema(e.listDeployments), config: { access: 'read' } }, async (req) => {
    const q = req.query;
    return listDeployments(
      shoal,
      {
        spaceId: req.params.spaceId,
        projectId: optionalId('project', q.projectId, 'query.projectId'),
        environmentId: optionalId('environment', q.environmentId, 'query.environmentId'),
        releaseId: optionalId('release', q.releaseId, 'query.releaseId'),
      },
      q,
    );
  });

  app.get(e.getDeployment.url, { schema: endpointSchema(e.getDeployment), config: { access: 'read' } }, async (req) => {
    const { spaceId, id } = req.params;
    const d = await getDeployment(shoal, spaceId, requireId('deployment', id, spaceId));
    if (!d) throw missing('deployment', id, spaceId);
    return d;
  });

  app.post(e.redeploy.url, { schema: endpointSchema(e.redeploy), config: { access: 'deploy' } }, async (req, reply) => {
    const { spaceId, id } = req.params;
    const before = await getDeployment(shoal, spaceId, requireId('deployment', id, spaceId));
    if (!before) throw missing('deployment', id, spaceId);
    const release = (trx: typeof shoal) => requireRelease(trx, spaceId, parseId('release', before.releaseId)!);
    return reply.status(201).send(await deploy(actorOf(req), spaceId, release, async () => before.environmentId, req.body.comments ?? `Redeployment of ${before.id}.`));
  });

  app.post(e.promoteRelease.url, { schema: endpointSchema(e.promoteRelease), config: { access: 'deploy' } }, async (req, reply) => {
    const { spaceId, id } = req.params;
    const actor = actorOf(req);
    const release = (trx: typeof shoal) => requireRelease(trx, spaceId, requireId('release', id, spaceId));
    const target = async (trx: typeof shoal, r: ReleaseRow) => {
      if (req.body.environmentId) return req.body.environmentId;
      const detail = await releaseDetail(trx, actor, r);
      if (!detail.nextEnvironmentId) {
        const why = detail.progression.find((p) => !p.canDeploy)?.reason;
        throw conflict(`Release ${r.version} has nowhere to be promoted to now${why ? `: ${why}` : '; it has succeeded in every environment you may deploy to.'}`);
      }
      return detail.nextEnvironmentId;
    };
    return reply.status(201).send(await deploy(actor, spaceId, release, target, req.body.comments ?? ''));
  });

  app.get(e.dashboard.url, { schema: endpointSchema(e.dashboard), config: { access: 'read' } }, async (req) =>
    dashboard(shoal, req.params.spaceId),
  );
};
