import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../api/context.js';
import { conflict, notFound } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { NoContent, withErrors } from '../contract/common.js';
import { NodeList, NodeParams, NodePatch, Ping, ShoalNode } from '../contract/nodes.js';
import { TaskList } from '../contract/tasks.js';
import { activeTasksOfNode } from '../queue/list.js';
import { toTaskResource } from '../queue/taskRecord.js';
import { parseStorageStatus } from '../storage/verify.js';
import { clusterVersion } from './clusterVersion.js';
import { deleteNode, listNodes, nodeStatus, updateNode, type NodeWithLiveness } from './registry.js';

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

/** The cluster's nodes: the load balancer's ping, the list, drain and task cap, removal of offline nodes. */
export const nodeRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  for (const url of ['/api/nodes/ping', '/api/octopusservernodes/ping']) {
    app.get(url, { schema: { response: { 200: Ping, 418: Ping, 503: Ping } }, config: { access: 'anonymous' } }, async (_req, reply) => {
      const r = await ctx.ping.get();
      return reply.status(r.status).send(r.body);
    });
  }

  const versionOfCluster = async () => (await clusterVersion(ctx.shoal)) ?? ctx.version;
  const oneNode = async (name: string) => {
    const [n] = await listNodes(ctx.shoal, name);
    if (!n) throw notFound(`There is no node named ${name}.`);
    return nodeResource(n, await versionOfCluster());
  };

  app.get('/api/nodes', { schema: { response: withErrors({ 200: NodeList }) }, config: { access: 'read' } }, async () => {
    const version = await versionOfCluster();
    return (await listNodes(ctx.shoal)).map((n) => nodeResource(n, version));
  });

  app.get('/api/nodes/:name', { schema: { params: NodeParams, response: withErrors({ 200: ShoalNode }) }, config: { access: 'read' } }, async (req) =>
    oneNode(req.params.name),
  );

  app.delete('/api/nodes/:name', { schema: { params: NodeParams, response: withErrors({ 204: NoContent }) }, config: { access: 'admin' } }, async (req, reply) => {
    const node = await oneNode(req.params.name);
    if (node.status !== 'Offline') throw conflict(`Node ${node.name} is ${node.status}; only an Offline node can be deleted.`);
    await deleteNode(ctx.shoal, node.name);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.delete', target: node.name, clientIp: req.ip });
    return reply.status(204).send(null);
  });

  app.patch('/api/nodes/:name', { schema: { params: NodeParams, body: NodePatch, response: withErrors({ 200: ShoalNode }) }, config: { access: 'admin' } }, async (req) => {
    const { name } = req.params;
    if (!(await updateNode(ctx.shoal, name, req.body))) throw notFound(`There is no node named ${name}.`);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.update', target: name, details: req.body, clientIp: req.ip });
    if (name === ctx.config.nodeName) ctx.ping.invalidate();
    ctx.executor.queueChanged();
    return oneNode(name);
  });

  app.get('/api/nodes/:name/tasks', { schema: { params: NodeParams, response: withErrors({ 200: TaskList }) }, config: { access: 'read' } }, async (req) => {
    await oneNode(req.params.name);
    return (await activeTasksOfNode(ctx.shoal, req.params.name)).map(toTaskResource);
  });
};
