import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { startAuthHousekeeping } from './auth/housekeeping.js';
import { ensureAdminUser } from './auth/users.js';
import type { NodeConfig } from './config/nodeConfig.js';
import type { DialectName, ShoalDb } from './db/dialects/dialect.js';
import { adoptClusterVersion, upgradeSchemaSafely } from './nodes/clusterVersion.js';
import { openDatabase } from './db/open.js';
import { secureDataDir } from './config/dataDirPermissions.js';
import { Executor } from './executor/executor.js';
import { resolveRunAsUser, type RunAsUser } from './executor/runAsUser.js';
import { endLeftoverProcesses } from './executor/leftovers.js';
import { taskKinds } from './executor/kinds/index.js';
import type { TaskKind } from './executor/taskKind.js';
import { Heartbeat } from './nodes/heartbeat.js';
import { PingCache } from './nodes/pingCache.js';
import { markNodeStopped, registerNode } from './nodes/registry.js';
import { sweepOfflineNodes } from './nodes/sweep.js';
import { endTasksOfNode } from './queue/failOrphans.js';
import { listenForQueueChanges } from './queue/notify.js';
import { verifyMasterKey } from './secrets/keyCheck.js';
import { loadOrCreateMasterKey } from './secrets/masterKey.js';
import { clusterStoragePaths } from './storage/clusterStorage.js';
import { ensureStorage } from './storage/paths.js';
import { StorageVerifier } from './storage/verifier.js';
import { SHOAL_VERSION } from './version.js';

export interface StartOptions {
  config: NodeConfig;
  logger?: Logger;
  /** Password for the first admin; otherwise one is generated and reported through onAdminCreated. */
  adminPassword?: string;
  onAdminCreated?: (generatedPassword: string | null) => void;
  /** Extra task kinds (the benchmark's no-op kind). */
  extraKinds?: TaskKind[];
  /** Fallback queue poll; tests shorten the heartbeat too. */
  heartbeatMs?: number;
}

export interface RunningNode {
  config: NodeConfig;
  shoal: ShoalDb;
  app: FastifyInstance;
  executor: Executor;
  /** The URL the node answers on. */
  url: string;
  stop(reason?: string): Promise<void>;
}

/** How often a node looks for work queued elsewhere when nothing woke it. PostgreSQL
 * wakes nodes through LISTEN/NOTIFY, so its poll is only a fallback. */
const FALLBACK_POLL_MS: Record<DialectName, number> = { sqlite: 1000, postgres: 1000, mssql: 100 };

/** How often cluster-wide settings cached in memory are read again (caches stay within 2 s). */
const SETTINGS_REFRESH_MS = 1000;

/**
 * Where tasks get their scratch folders: in the data dir, unless scripts run as another
 * account, which must not reach the data dir (0700): then a root-owned folder it may only
 * traverse (0711), under the system temp folder.
 */
function taskWorkRoot(config: NodeConfig, runAs: RunAsUser | undefined): string {
  if (!runAs) return path.join(config.dataDir, 'work');
  const root = path.join(os.tmpdir(), `shoal-work-${config.nodeName.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  fs.mkdirSync(root, { recursive: true, mode: 0o711 });
  fs.chmodSync(root, 0o711);
  return root;
}

function advertisedUrl(config: NodeConfig, port: number): string {
  const { host } = config;
  const h = host === '0.0.0.0' || host === '::' ? os.hostname() : host.includes(':') ? `[${host}]` : host;
  return `${config.tls ? 'https' : 'http'}://${h}:${port}`;
}

/** Starts a node: schema, admin, registration, HTTP, executor, heartbeat. */
export async function startNode(o: StartOptions): Promise<RunningNode> {
  const { config } = o;
  const logger = o.logger ?? pino({ level: process.env.SHOAL_LOG_LEVEL ?? 'info' });
  // Files the node creates (task logs, packages, markers) are not for other local accounts.
  if (process.platform !== 'win32') process.umask(0o027);
  for (const change of secureDataDir(config.dataDir)) logger.warn(change);
  const runAs = config.builtInWorkerRunAs ? resolveRunAsUser(config.builtInWorkerRunAs) : undefined;
  const onPoolError = (err: Error) => logger.warn({ err: err.message }, 'database connection lost');
  const shoal = await openDatabase(config.databaseUrl, { onError: onPoolError });
  const closers: (() => Promise<void>)[] = [() => shoal.close()];
  try {
    // SQLite made its files just now: tighten them like the rest of the data dir.
    for (const change of secureDataDir(config.dataDir)) logger.warn(change);
    await upgradeSchemaSafely(shoal, config.nodeName, SHOAL_VERSION);
    await verifyMasterKey(shoal, await loadOrCreateMasterKey(config));
    const created = await ensureAdminUser(shoal, o.adminPassword);
    if (created !== undefined) o.onAdminCreated?.(created);
    // Cluster-wide paths from the database win over this node's own; the object is updated
    // in place every second so an operator's `shoal storage set` reaches running nodes.
    const nodeStorage = { ...config.storage };
    Object.assign(config.storage, await clusterStoragePaths(shoal, nodeStorage));
    ensureStorage(config.storage);

    // Tasks this node had running when it last died can never finish now.
    const workRoot = taskWorkRoot(config, runAs);
    const leftovers = await endLeftoverProcesses(workRoot);
    if (leftovers.length) logger.warn({ tasks: leftovers }, 'ended processes that tasks of the previous run left behind');
    await endTasksOfNode(shoal, config.nodeName, `Node ${config.nodeName} stopped unexpectedly while the task was running; it was ended when the node started again.`);

    const kinds = taskKinds({ builtInWorker: config.builtInWorker, extra: o.extraKinds });
    let executor!: Executor;
    const ping = new PingCache(shoal, config.nodeName, SHOAL_VERSION, () => executor.runningCount);
    const ctxBase = { shoal, config, version: SHOAL_VERSION, kinds, ping, logger };
    // Register before listening so the first ping already finds the node row; the URL is final after listen.
    await registerNode(shoal, { name: config.nodeName, version: SHOAL_VERSION, url: advertisedUrl(config, config.port), taskCap: config.taskCap });
    executor = new Executor({
      shoal,
      nodeName: config.nodeName,
      serverUrl: advertisedUrl(config, config.port),
      storage: config.storage,
      workRoot,
      runAs,
      kinds,
      logger,
      pollMs: FALLBACK_POLL_MS[shoal.dialect.name],
    });
    const listener = listenForQueueChanges(shoal, config.databaseUrl, () => executor.wake(), (err) =>
      logger.warn({ err: err.message }, 'queue listener lost its connection; reconnecting'),
    );
    if (listener) closers.unshift(() => listener.close());
    const app = await buildApp({ ...ctxBase, executor });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = advertisedUrl(config, port);
    await registerNode(shoal, { name: config.nodeName, version: SHOAL_VERSION, url, taskCap: config.taskCap });
    // Markers into every storage folder, then the first check that the others' are visible.
    const storageVerifier = new StorageVerifier(shoal, config.storage, config.nodeName, logger);
    await storageVerifier.start().catch((err) => logger.warn({ err }, 'shared storage verification failed'));
    const version = await adoptClusterVersion(shoal, config.nodeName, SHOAL_VERSION);
    if (version !== SHOAL_VERSION) logger.warn(`this node runs ${SHOAL_VERSION} but the cluster runs ${version}; it will not take tasks (VersionMismatch)`);

    // The heartbeat has its own connection so a busy pool never makes a live node look dead.
    const heartbeatDb = shoal.dialect.name === 'sqlite' ? shoal : await openDatabase(config.databaseUrl, { poolSize: 1, onError: onPoolError });
    if (heartbeatDb !== shoal) closers.push(() => heartbeatDb.close());
    const heartbeat = new Heartbeat({
      shoal: heartbeatDb,
      nodeName: config.nodeName,
      logger,
      intervalMs: o.heartbeatMs,
      onFenced: (fenced) => {
        const lostContact = `Node ${config.nodeName} lost contact with the database and stopped the task.`;
        if (fenced) {
          executor.setClaiming(false);
          for (const id of executor.runningIds()) executor.cancelLocal(id, lostContact, 'Failed');
          return;
        }
        // Back in contact: outcomes that could not be written while fenced are recorded now,
        // before this node claims again, so none of its tasks stays Executing forever.
        endTasksOfNode(shoal, config.nodeName, lostContact, executor.runningIds())
          .catch((err) => logger.warn({ err }, 'could not end the tasks stopped while fenced'))
          .finally(() => executor.setClaiming(true));
      },
      onBeat: () => {
        sweepOfflineNodes(shoal).catch((err) => logger.warn({ err }, 'offline sweep failed'));
        storageVerifier.check().catch((err) => logger.warn({ err }, 'shared storage verification failed'));
      },
    });
    heartbeat.start();
    // Storage paths another node's operator changes reach this node within a second.
    let markedPaths = JSON.stringify(config.storage);
    const settingsRefresh = setInterval(() => {
      clusterStoragePaths(shoal, nodeStorage).then(
        (paths) => {
          Object.assign(config.storage, paths);
          // New folders (set here through the API or by another node) get this node's markers
          // now, not a heartbeat later, so no node takes them for folders this one does not share.
          if (JSON.stringify(config.storage) === markedPaths) return;
          markedPaths = JSON.stringify(config.storage);
          storageVerifier.check().catch((err) => logger.warn({ err }, 'shared storage verification failed'));
        },
        (err) => logger.warn({ err }, 'could not read storage settings'),
      );
    }, SETTINGS_REFRESH_MS);
    settingsRefresh.unref();
    closers.unshift(async () => clearInterval(settingsRefresh));
    executor.start();
    const housekeeping = startAuthHousekeeping(shoal, logger);
    closers.unshift(async () => housekeeping.stop());

    let stopping: Promise<void> | undefined;
    const stop = (reason = `Node ${config.nodeName} shut down.`) =>
      (stopping ??= (async () => {
        heartbeat.stop();
        await executor.stop(reason);
        await app.close();
        await markNodeStopped(shoal, config.nodeName).catch((err) => logger.warn({ err }, 'could not mark the node offline'));
        for (const close of closers) await close().catch(() => {});
      })());
    return { config: { ...config, port }, shoal, app, executor, url, stop };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}
