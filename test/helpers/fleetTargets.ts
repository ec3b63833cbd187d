import path from 'node:path';
import { ShoalClient } from './apiClient.js';
import { startCluster, type Cluster } from './cluster.js';
import { freePort } from './freePort.js';
import { startHaproxy, type Haproxy } from './haproxy.js';
import { startShoalProcess, type ShoalProcess } from './shoalProcess.js';

/**
 * What the manager's screens are tested against: a 2-node PostgreSQL cluster behind HAProxy (the
 * example config, with its runtime API to read its view) and a standalone node, each with an
 * administrator's API key for the manager.
 */
export interface FleetTargets {
  cluster: Cluster;
  lb: Haproxy;
  solo: ShoalProcess;
  /** The cluster's administrator, through the balancer. */
  admin: ShoalClient;
  clusterKey: string;
  soloKey: string;
  /** Starts HAProxy again on the same port (after `lb.stop()`), in front of the nodes still alive. */
  restartBalancer(): Promise<Haproxy>;
}

export async function startFleetTargets(work: string): Promise<FleetTargets> {
  const cluster = await startCluster(2, 2);
  const lbPort = await freePort();
  const servers = () => cluster.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map((n) => ({ name: n.nodeName, port: n.port }));
  const start = () => startHaproxy(cluster.dir, lbPort, servers(), { adminSocket: true });
  const targets: FleetTargets = {
    cluster,
    lb: await start(),
    solo: await startShoalProcess({ dataDir: path.join(work, 'solo'), nodeName: 'solo' }),
    admin: undefined as unknown as ShoalClient,
    clusterKey: '',
    soloKey: '',
    restartBalancer: async () => (targets.lb = await start()),
  };
  targets.admin = await ShoalClient.login(targets.lb.url, 'admin', cluster.nodes[0]!.adminPassword);
  targets.clusterKey = await targets.admin.createApiKey('manager-screens');
  targets.soloKey = await (await ShoalClient.login(targets.solo.url, 'admin', targets.solo.adminPassword)).createApiKey('manager-screens');
  return targets;
}
