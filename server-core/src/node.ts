import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { loadOrCreateCommsCertificate } from './agents/commsCertificate.js';
import { CommsServer } from './agents/commsServer.js';
import { healthCheckKind } from './agents/healthCheckKind.js';
import { machinePolicyScheduler } from './agents/machinePolicy.js';
import { buildApp } from './app.js';
import { startAuthHousekeeping } from './auth/housekeeping.js';
import { nodeCredential } from './auth/nodeCredential.js';
import { ensureAdminUser } from './auth/users.js';
import { prepareDataDir } from './config/dataDirCheck.js';
import { lockDataDir } from './config/dataDirLock.js';
import { secureDataDir } from './config/dataDirPermissions.js';
import type { NodeConfig } from './config/nodeConfig.js';
import { nodeIdentity } from './config/nodeIdentity.js';
import type { ShoalDb } from './db/dialects/dialect.js';
import { openDatabase } from './db/open.js';
import { deploymentKinds } from './deploy/kinds/index.js';
import { Executor } from './executor/executor.js';
import { taskKinds } from './executor/kinds/index.js';
import { endLeftoverProcesses } from './executor/leftovers.js';
import { Outbox, outboxFile } from './executor/outbox.js';
import { resolveRunAsUser, type RunAsUser } from './executor/runAsUser.js';
import type { TaskKind } from './executor/taskKind.js';
import { ClusterClock } from './nodes/clusterClock.js';
import { adoptClusterVersion, upgradeSchemaSafely } from './nodes/clusterVersion.js';
import { Heartbeat } from './nodes/heartbeat.js';
import { Lease } from './nodes/lease.js';
import { everyInterval, Lifecycle } from './nodes/lifecycle.js';
import { PingCache } from './nodes/pingCache.js';
import { assertPortFree, COMMS_PORT, listenOrExplain } from './nodes/port.js';
import { markNodeStopped, registerNode, setNodeUrl } from './nodes/registry.js';
import { sweepOfflineNodes } from './nodes/sweep.js';
import { endTasksOfEarlierRun } from './queue/endTasksOfNode.js';
import { FENCE_AFTER_MS, HEARTBEAT_INTERVAL_MS, LEASE_STATEMENT_TIMEOUT_MS } from './queue/leaseTimings.js';
import { listenForQueueChanges } from './queue/notify.js';
import { verifyMasterKey } from './secrets/keyCheck.js';
import { loadOrCreateMasterKey } from './secrets/masterKey.js';
import { clusterStoragePaths } from './storage/clusterStorage.js';
import { ensureStorage } from './storage/paths.js';
import { StorageVerifier } from './storage/verifier.js';
import { triggerScheduler } from './triggers/scheduler.js';
import { SHOAL_VERSION } from './version.js';

export interface StartOptions {
  config: NodeConfig;
  logger?: Logger;
  /** Password for the first admin; otherwise one is generated and reported through onAdminCreated. */
  adminPassword?: string;
  onAdminCreated?: (generatedPassword: string | null) => void;
  /** Extra task kinds (the benchmark's no-op kind). */
  extraKinds?: TaskKind[];
  /** Heartbeat interval (tests); the fence and offline thresholds do not change with it. */
  heartbeatMs?: number;
  /** The executor's fallback poll for new tasks (tests stretch it to show that a queued task wakes the executor). */
  wakeUpPollMs?: number;
}

export interface RunningNode {
  config: NodeConfig;
  shoal: ShoalDb;
  app: FastifyInstance;
  executor: Executor;
  lease: Lease;
  /** The URL the node answers on. */
  url: string;
  /** The agents' comms port it listens on. */
  commsPort: number;
  stop(reason?: string): Promise<void>;
}

/** How often cluster-wide settings cached in memory are read again (caches stay within 2 s). */
const SETTINGS_REFRESH_MS = 1000;
/** How often the node checks that it shares storage folders with the others. */
const STORAGE_CHECK_MS = 5000;

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

/**
 * Starts a node: data dir checks and lock, schema, admin, registration under the node's
 * identity, HTTP, executor, and the components that keep its lease and caches.
 */
export async function startNode(o: StartOptions): Promise<RunningNode> {
  const { config } = o;
  const clock = new ClusterClock();
  // The node's own log in the cluster's time too (corrected once the database answered).
  const logger = o.logger ?? pino({ level: process.env.SHOAL_LOG_LEVEL ?? 'info', timestamp: () => `,"time":${clock.nowMs()}` });
  // Files the node creates (task logs, packages, markers) are not for other local accounts.
  if (process.platform !== 'win32') process.umask(0o027);
  prepareDataDir(config.dataDir);
  for (const change of secureDataDir(config.dataDir)) logger.warn(change);
  const lock = lockDataDir(config.dataDir, `shoal run (node ${config.nodeName})`);
  const closers: (() => Promise<void> | void)[] = [() => lock.release()];
  try {
    await assertPortFree(config.host, config.port);
    await assertPortFree(config.host, config.commsPort, COMMS_PORT);
    const runAs = config.builtInWorkerRunAs ? resolveRunAsUser(config.builtInWorkerRunAs) : undefined;
    const nodeId = nodeIdentity(config.dataDir);
    const onPoolError = (err: Error) => logger.warn({ err: err.message }, 'database connection lost');
    const earlier = new Set(fs.readdirSync(config.dataDir));
    const shoal = await openDatabase(config.databaseUrl, { onError: onPoolError });
    closers.unshift(() => shoal.close());
    // SQLite may have made its files just now: tighten them like the rest of the data dir.
    for (const change of secureDataDir(config.dataDir, earlier)) logger.warn(change);
    await upgradeSchemaSafely(shoal, config.nodeName, SHOAL_VERSION);
    const masterKey = await loadOrCreateMasterKey(config);
    await verifyMasterKey(shoal, masterKey);
    const created = await ensureAdminUser(shoal, o.adminPassword);
    if (created !== undefined) o.onAdminCreated?.(created);
    // Cluster-wide paths from the database win over this node's own; the object is updated
    // in place every second so an operator's `shoal storage set` reaches running nodes.
    const nodeStorage = { ...config.storage };
    Object.assign(config.storage, await clusterStoragePaths(shoal, nodeStorage));
    await ensureStorage(config.storage);

    // The lease paths get their own pool with short statement timeouts.
    const leaseDb = shoal.forLeasePaths(LEASE_STATEMENT_TIMEOUT_MS);
    closers.unshift(() => leaseDb.close());
    // Alone on its database, nobody can take over a node's tasks: its lease never runs out.
    const lease = new Lease(shoal.dialect.sharedByNodes ? FENCE_AFTER_MS : Infinity);
    lease.on('fenced', (why) =>
      logger.error(
        { sinceLastBeatMs: Math.round(lease.sinceRenewalMs()), why },
        'FENCED: this node holds no lease; it claims nothing and has stopped its scripts until a heartbeat reaches the database',
      ),
    );
    await clock.measure(leaseDb).catch(() => {});
    const registeredAt = performance.now();
    const registration = await registerNode(shoal, {
      name: config.nodeName,
      nodeId,
      version: SHOAL_VERSION,
      url: advertisedUrl(config, config.port),
      taskCap: config.taskCap,
      overrideTaskCap: config.taskCapOverride,
    });
    lease.renew(registeredAt);
    // Beating from here on: the rest of the start (the outbox, leftovers, ports, storage checks)
    // can take seconds on a loaded machine or a slow database, and the lease runs meanwhile.
    const heartbeat = new Heartbeat({
      shoal: leaseDb,
      nodeName: config.nodeName,
      nodeId,
      lease,
      logger,
      intervalMs: o.heartbeatMs,
      onBeat: () => void clock.measure(leaseDb).catch(() => {}),
    });
    heartbeat.start();
    closers.unshift(() => heartbeat.stop());
    if (registration.existed && config.taskCapOverride) logger.warn(`--task-cap ${config.taskCap} overrides the task cap the cluster had for ${config.nodeName}`);

    const applicationsDir = runAs ? path.join(runAs.home, 'Applications') : path.join(config.dataDir, 'applications');
    // Deployments and runbook runs run their steps on the built-in worker until agents exist.
    const deploying = config.builtInWorker ? deploymentKinds({ masterKey, applicationsDir, queueExpiryMs: config.queueExpiryMs }) : [];
    const kinds = taskKinds({ builtInWorker: config.builtInWorker, extra: [...(o.extraKinds ?? []), ...deploying, healthCheckKind(SHOAL_VERSION, masterKey)] });
    const workRoot = taskWorkRoot(config, runAs);
    const executor = new Executor({
      shoal,
      leaseDb,
      nodeName: config.nodeName,
      nodeId,
      serverUrl: advertisedUrl(config, config.port),
      storage: config.storage,
      workRoot,
      runAs,
      kinds,
      logger,
      lease,
      outbox: new Outbox(outboxFile(config.dataDir)),
      clock: () => clock.nowMs(),
      pollMs: o.wakeUpPollMs ?? shoal.dialect.wakeUpPollMs,
    });
    // What the last run of this node left: outcomes it kept (recorded first, they are real),
    // then scripts a crash left running and tasks nothing runs any more.
    await executor.replayOutbox();
    const leftovers = await endLeftoverProcesses(workRoot);
    if (leftovers.length) logger.warn({ tasks: leftovers }, 'ended processes that tasks of the previous run left behind');
    await endTasksOfEarlierRun(shoal, config.nodeName, `Node ${config.nodeName} stopped unexpectedly while the task was running; it was ended when the node started again.`);

    let runningCount = () => 0;
    const ping = new PingCache(leaseDb, lease, config.nodeName, SHOAL_VERSION, () => runningCount());
    const certificate = await loadOrCreateCommsCertificate(shoal, masterKey);
    const comms = new CommsServer({ shoal, certificate, masterKey, storage: config.storage, host: config.host, port: config.commsPort, nodeName: config.nodeName, logger, queueChanged: () => executor.queueChanged() });
    const app = await buildApp({
      shoal,
      config,
      version: SHOAL_VERSION,
      kinds,
      ping,
      logger,
      executor,
      masterKey,
      nodeCredential: nodeCredential(masterKey),
      comms: { certificate, port: () => comms.port, publicUrl: config.publicCommsUrl },
    });
    closers.unshift(() => app.close());
    await listenOrExplain(app, config.host, config.port);
    await comms.start();
    closers.unshift(() => comms.stop());
    runningCount = () => executor.runningCount;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = advertisedUrl(config, port);
    await setNodeUrl(shoal, config.nodeName, nodeId, url);
    const version = await adoptClusterVersion(shoal, config.nodeName, SHOAL_VERSION);
    if (version !== SHOAL_VERSION) logger.warn(`this node runs ${SHOAL_VERSION} but the cluster runs ${version}; it will not take tasks (VersionMismatch)`);

    // Markers into every storage folder, then the first check that the others' are visible.
    const storageVerifier = new StorageVerifier(shoal, config.storage, config.nodeName, logger, () => clock.nowMs());
    await storageVerifier.start().catch((err) => logger.warn({ err }, 'shared storage verification failed'));
    const warn = (what: string) => (err: unknown) => logger.warn({ err: (err as Error)?.message ?? err }, what);
    let markedPaths = JSON.stringify(config.storage);
    const lifecycle = new Lifecycle();
    await lifecycle.start(
      // Any live node ends the tasks of nodes that went Offline, once it has been in contact
      // long enough to tell who is silent.
      everyInterval('offline sweep', HEARTBEAT_INTERVAL_MS, async () => {
        if (heartbeat.mayJudgeOthers() && lease.check()) await sweepOfflineNodes(leaseDb);
      }, warn('offline sweep failed')),
      // Storage paths another node's operator changes reach this node within a second; new
      // folders get this node's markers at once, so no node takes them for unshared ones.
      everyInterval('settings refresh', SETTINGS_REFRESH_MS, async () => {
        Object.assign(config.storage, await clusterStoragePaths(shoal, nodeStorage));
        if (JSON.stringify(config.storage) === markedPaths) return;
        markedPaths = JSON.stringify(config.storage);
        await storageVerifier.check();
      }, warn('could not read storage settings')),
      everyInterval('storage verifier', STORAGE_CHECK_MS, () => storageVerifier.check(), warn('shared storage verification failed')),
      queueListener(shoal, executor, logger),
      { name: 'executor', start: () => executor.start(), stop: () => {} },
      authHousekeeping(shoal, logger),
      triggerScheduler({ shoal, nodeName: config.nodeName, logger, queueChanged: () => executor.queueChanged(), queueExpiryMs: config.queueExpiryMs }),
      machinePolicyScheduler({ shoal, logger, queueChanged: () => executor.queueChanged(), queueExpiryMs: config.queueExpiryMs }),
    );

    let stopping: Promise<void> | undefined;
    const stop = (reason = `Node ${config.nodeName} shut down.`) =>
      (stopping ??= (async () => {
        await lifecycle.stop((name, err) => logger.warn({ err }, `could not stop the ${name}`));
        await executor.stop(reason);
        heartbeat.stop(); // no beat may mark the node alive after it is marked stopped
        await markNodeStopped(leaseDb, config.nodeName, nodeId).catch((err) => logger.warn({ err: err.message }, 'could not mark the node offline'));
        for (const close of closers) await Promise.resolve(close()).catch(() => {});
      })());
    return { config: { ...config, port }, shoal, app, executor, lease, url, commsPort: comms.port, stop };
  } catch (err) {
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
    throw err;
  }
}

/** Expired sessions and login throttles, removed in the background. */
function authHousekeeping(shoal: ShoalDb, logger: Logger) {
  let running: { stop(): void } | undefined;
  return { name: 'auth housekeeping', start: () => void (running = startAuthHousekeeping(shoal, logger)), stop: () => running?.stop() };
}

/** Wakes the executor when another node queues work (where the database can tell). */
function queueListener(shoal: ShoalDb, executor: Executor, logger: Logger) {
  let listener: ReturnType<typeof listenForQueueChanges>;
  return {
    name: 'queue listener',
    start() {
      listener = listenForQueueChanges(shoal, () => executor.wake(), (err) => logger.warn({ err: err.message }, 'queue listener lost its connection; reconnecting'));
    },
    stop: () => listener?.close(),
  };
}
