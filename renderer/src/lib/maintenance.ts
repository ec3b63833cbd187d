/**
 * The maintenance procedure of one node (Octopus's "Maintain High Availability nodes", the
 * example procedure) as one guided flow, each step done when the cluster says so:
 *
 *   drain     the node takes no new tasks                      (its drain is on)
 *   idle      its running tasks finish                          (it runs none: Drained)
 *   balancer  the load balancer takes it out                    (its ping answers 418)
 *   work      the operator's own work: updates, restart …       (every item ticked)
 *   undrain   end maintenance                                    (its drain is off)
 *   back      it takes traffic and tasks again                   (Running, its ping answers 200)
 *   done
 */
import type { ShoalNode } from '@shoal/server-core/contract';

export const MAINTENANCE_STEPS = ['drain', 'idle', 'balancer', 'work', 'undrain', 'back', 'done'] as const;
export type MaintenanceStep = (typeof MAINTENANCE_STEPS)[number];

/** What the manager found asking the node's own ping (see the manager's nodePing.ts). */
export interface PingReading {
  reachable: boolean;
  status: number | null;
}

export interface MaintenanceFacts {
  node: Pick<ShoalNode, 'drain' | 'status' | 'runningTasks'>;
  /** null: not asked (yet), or no manager to ask it. */
  ping: PingReading | null;
  /** The operator looked at the balancer's own view, where the ping could not be asked from here. */
  balancerConfirmed: boolean;
  /** Every item of the operator's checklist is ticked. */
  workDone: boolean;
  /** The operator ended maintenance (undrain asked for). */
  ended: boolean;
}

/** Out of rotation: its ping answers 418, or (asked from nowhere) the operator saw the balancer take it out. */
export const outOfRotation = (f: Pick<MaintenanceFacts, 'ping' | 'balancerConfirmed'>): boolean =>
  f.ping?.status === 418 || (f.ping?.reachable !== true && f.balancerConfirmed);

/** Back in rotation: its ping answers 200, or (not reachable from here) the cluster says it is Running. */
export const inRotation = (f: Pick<MaintenanceFacts, 'ping' | 'node'>): boolean =>
  f.node.status === 'Running' && (f.ping?.status === 200 || f.ping?.reachable !== true);

export function maintenanceStep(f: MaintenanceFacts): MaintenanceStep {
  if (!f.ended) {
    if (!f.node.drain) return 'drain';
    if (f.node.runningTasks > 0 || f.node.status === 'Draining') return 'idle';
    if (!outOfRotation(f)) return 'balancer';
    if (!f.workDone) return 'work';
    return 'undrain';
  }
  if (f.node.drain) return 'undrain';
  return inRotation(f) ? 'done' : 'back';
}

/** The operator's own work while the node is out: ticked one by one. */
export const DEFAULT_CHECKLIST = [
  'Install the updates (operating system, Shoal, …)',
  'Restart the machine or the Shoal service, as the updates need',
  'The node shows up again in the list (Drained: it keeps its drain across a restart)',
];
