import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readMachinePolicy, writeMachinePolicy } from '../agents/machinePolicy.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { configurationEndpoints, StorageConfiguration } from '../contract/configuration.js';
import type { NodeContext } from '../nodeContext.js';
import { clusterVersion } from '../nodes/clusterVersion.js';
import { listNodes, nodeStatus } from '../nodes/registry.js';
import { parseStorageStatus } from '../nodes/storageStatus.js';
import { readSetting, readSettings, SETTING, writeSetting } from '../settings/settings.js';
import { clusterStoragePaths, setClusterStoragePaths } from '../storage/clusterStorage.js';
import { STORAGE_KINDS, type StoragePaths } from '../storage/paths.js';
import { inspectStoragePath } from '../storage/verifyPath.js';

/**
 * Cluster-wide switches that would otherwise mean touching every node: the queue pause,
 * the machine policy (periodic health checks), and Settings → Storage (the path of each kind, checked from this node, and each node's
 * verdict on whether it shares those folders with the others).
 */
export const configurationRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const queueState = async () => ({ paused: (await readSetting(ctx.shoal, SETTING.queuePaused)) === 'true' });

  app.get(configurationEndpoints.getQueue.url, { schema: endpointSchema(configurationEndpoints.getQueue), config: { access: 'read' } }, async () => queueState());

  app.put(configurationEndpoints.setQueue.url, { schema: endpointSchema(configurationEndpoints.setQueue), config: { access: 'admin' } }, async (req) => {
    await writeSetting(ctx.shoal, SETTING.queuePaused, String(req.body.paused));
    await recordEvent(ctx.shoal, { username: req.user!.username, action: req.body.paused ? 'queue.pause' : 'queue.resume', clientIp: req.ip });
    ctx.executor.queueChanged();
    return queueState();
  });

  app.get(configurationEndpoints.getMachinePolicy.url, { schema: endpointSchema(configurationEndpoints.getMachinePolicy), config: { access: 'read' } }, async () =>
    readMachinePolicy(ctx.shoal),
  );

  app.put(configurationEndpoints.setMachinePolicy.url, { schema: endpointSchema(configurationEndpoints.setMachinePolicy), config: { access: 'admin' } }, async (req) => {
    const policy = await writeMachinePolicy(ctx.shoal, req.body);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'machinePolicy.set', clientIp: req.ip, details: policy });
    return policy;
  });

  const describeStorage = async (): Promise<StorageConfiguration> => {
    const set = await readSettings(ctx.shoal, SETTING.storagePrefix);
    const paths = ctx.config.storage;
    const version = (await clusterVersion(ctx.shoal)) ?? ctx.version;
    return {
      checkedBy: ctx.config.nodeName,
      paths: await Promise.all(
        STORAGE_KINDS.map(async (kind) => ({
          ...(await inspectStoragePath(kind, paths[kind])),
          source: set.has(`${SETTING.storagePrefix}${kind}`) ? ('cluster' as const) : ('node' as const),
        })),
      ),
      nodes: (await listNodes(ctx.shoal)).map((n) => ({ name: n.name, status: nodeStatus(n, version), storage: parseStorageStatus(n.storage_status) })),
    };
  };

  app.get(configurationEndpoints.getStorage.url, { schema: endpointSchema(configurationEndpoints.getStorage), config: { access: 'admin' } }, async () => describeStorage());

  app.put(configurationEndpoints.setStorage.url, { schema: endpointSchema(configurationEndpoints.setStorage), config: { access: 'admin' } },
    async (req) => {
      const wanted: Partial<StoragePaths> = {};
      for (const kind of STORAGE_KINDS) {
        const p = req.body[kind]?.trim();
        if (p === undefined) continue;
        const report = await inspectStoragePath(kind, p);
        if (report.problem) throw badRequest(`${kind}: ${p} ${report.problem}.`);
        wanted[kind] = p;
      }
      if (Object.keys(wanted).length === 0) throw badRequest(`Name at least one of ${STORAGE_KINDS.join(', ')}.`);
      await setClusterStoragePaths(ctx.shoal, wanted);
      // This node takes the new paths at once (its markers follow on its next heartbeat); the others on theirs.
      Object.assign(ctx.config.storage, await clusterStoragePaths(ctx.shoal, ctx.config.storage));
      await recordEvent(ctx.shoal, { username: req.user!.username, action: 'storage.update', details: wanted, clientIp: req.ip });
      return describeStorage();
    },
  );
};
