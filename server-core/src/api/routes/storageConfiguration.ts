import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordEvent } from '../../audit/events.js';
import { clusterVersion } from '../../nodes/clusterVersion.js';
import { listNodes, nodeStatus } from '../../nodes/registry.js';
import { readSettings, SETTING } from '../../settings/settings.js';
import { clusterStoragePaths, setClusterStoragePaths } from '../../storage/clusterStorage.js';
import { STORAGE_KINDS, type StoragePaths } from '../../storage/paths.js';
import { parseStorageStatus } from '../../storage/verify.js';
import { inspectStoragePath } from '../../storage/verifyPath.js';
import type { NodeContext } from '../context.js';
import { badRequest } from '../errors.js';

const PathValue = Type.String({ minLength: 1, maxLength: 1000 });
const StoragePut = Type.Object(
  {
    packages: Type.Optional(PathValue),
    artifacts: Type.Optional(PathValue),
    taskLogs: Type.Optional(PathValue),
    imports: Type.Optional(PathValue),
    eventExports: Type.Optional(PathValue),
  },
  { additionalProperties: false },
);

/**
 * Settings → Storage: the cluster-wide path of each kind, checked from this node, and
 * each node's own verdict on whether it shares those folders with the others.
 */
export function storageConfigurationRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const describe = async () => {
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

  app.get('/api/configuration/storage', { config: { access: 'admin' } }, async () => describe());

  app.put<{ Body: Static<typeof StoragePut> }>('/api/configuration/storage', { schema: { body: StoragePut }, config: { access: 'admin' } }, async (req) => {
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
    return describe();
  });
}
