import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { conflict, notFound } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { nodeEndpoints, Ping, ShoalNode } from '../contract/nodes.js';
import { activeTasksOfNode, countQueue } from '../queue/list.js';
import { toTaskResource } from '../queue/taskRecord.js';
import { readSetting, SETTING } from '../settings/settings.js';
import { parseStorageStatus } from './storageStatus.js';
import { clusterVersion } from './clusterVersion.js';
import { failoverTimings } from '../queue/leaseTimings.js';
import { deleteOfflineNode, listNodes, nodeStatus, updateNode, type NodeWithLiveness } from './registry.js';

export function nodeResource(n: NodeWithLiveness, version: string): ShoalNode {
  return {
    name: n.name,
    status: nodeStatus(n, version),
    lastSeen: new Date(Number(n.last_seen)).toISOString(),
    taskCap: n.task_cap,
    runningTasks: n.running_tasks,
    drain: !!n.drain,
    version: n.version,
    url: n.url,
    /** What the node last found when it checked that it shares storage with the others. */
    storage: parseStorageStatus(n.storage_status),
  };
}

/** The cluster's nodes: the load balancer's ping, the list, its summary with the queue, drain and task cap, removal of offline nodes. */
export const nodeRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  for (const e of [nodeEndpoints.ping, nodeEndpoints.octopusPing]) {
    const schema = endpointSchema(e);
    // 418 (draining) and 503 (no database) carry the same body as 200.
    app.get(e.url, { schema: { ...schema, response: { ...schema.response, 418: Ping, 503: Ping } }, config: { access: 'anonymous' } }, async (_req, reply) => {
      const r = await ctx.ping.get();
      return reply.status(r.status).send(r.body);
    });
  }

  app.get(nodeEndpoints.failover.url, { schema: endpointSchema(nodeEndpoints.failover), config: { access: 'read' } }, async () => failoverTimings());

  const versionOfCluster = async () => (await clusterVersion(ctx.shoal)) ?? ctx.version;
  const oneNode = async (name: string) => {
    const [n] = await listNodes(ctx.shoal, name);
    if (!n) throw notFound(`There is no node named ${name}.`);
    return nodeResource(n, await versionOfCluster());
  };

  app.get(nodeEndpoints.listNodes.url, { schema: endpointSchema(nodeEndpoints.listNodes), config: { access: 'read' } }, async () => {
    const version = await versionOfCluster();
    return (await listNodes(ctx.shoal)).map((n) => nodeResource(n, version));
  });

  app.get(nodeEndpoints.clusterSummary.url, { schema: endpointSchema(nodeEndpoints.clusterSummary), config: { access: 'read' } }, async () => {
    const [version, nodes, counts, paused] = await Promise.all([versionOfCluster(), listNodes(ctx.shoal), countQueue(ctx.shoal), readSetting(ctx.shoal, SETTING.queuePaused)]);
    return { version, nodes: nodes.map((n) => nodeResource(n, version)), queue: { ...counts, paused: paused === 'true' } };
  });

  app.get(nodeEndpoints.getNode.url, { schema: endpointSchema(nodeEndpoints.getNode), config: { access: 'read' } }, async (req) =>
    oneNode(req.params.name),
  );

  app.delete(nodeEndpoints.deleteNode.url, { schema: endpointSchema(nodeEndpoints.deleteNode), config: { access: 'admin' } }, async (req, reply) => {
    const node = await oneNode(req.params.name);
    // Offline is checked again inside the DELETE: a node that comes back meanwhile stays.
    if (node.status !== 'Offline' || (await deleteOfflineNode(ctx.shoal, node.name)) !== 'deleted') {
      throw conflict(`Node ${node.name} is ${node.status === 'Offline' ? 'back online' : node.status}; only an Offline node can be deleted.`);
    }
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.delete', target: node.name, clientIp: req.ip });
    return reply.status(204).send(null);
  });

  app.patch(nodeEndpoints.updateNode.url, { schema: endpointSchema(nodeEndpoints.updateNode), config: { access: 'admin' } }, async (req) => {
    const { name } = req.params;
    if (!(await updateNode(ctx.shoal, name, req.body))) throw notFound(`There is no node named ${name}.`);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.update', target: name, details: req.body, clientIp: req.ip });
    if (name === ctx.config.nodeName) ctx.ping.invalidate();
    ctx.executor.queueChanged();
    return oneNode(name);
  });

  app.get(nodeEndpoints.nodeTasks.url, { schema: endpointSchema(nodeEndpoints.nodeTasks), config: { access: 'read' } }, async (req) => {
    await oneNode(req.params.name);
    return (await activeTasksOfNode(ctx.shoal, req.params.name)).map(toTaskResource);
  });
};
