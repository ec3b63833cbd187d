import { sql, type Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { NodesTable } from '../db/schema.js';
import { OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';

export type NodeRow = Selectable<NodesTable>;
export type NodeStatus = 'Running' | 'Draining' | 'Drained' | 'Offline' | 'VersionMismatch';

export interface NodeRegistration {
  name: string;
  /** The data dir's identity (nodes.node_id). */
  nodeId: string;
  version: string;
  url: string;
  /** The cap of a node's first registration; an operator's later changes are kept. */
  taskCap: number;
  /** Set the cap even when the row has one (an explicit `--task-cap`). */
  overrideTaskCap?: boolean;
}

/** Another live process holds this node name. */
export class NodeNameInUseError extends Error {}

/**
 * Registers the node, or brings its row back to life. The row is taken only when it is
 * this data dir's (same identity, or a row from before identities), or its holder stopped
 * or has been silent past the offline threshold (database clock, in the UPDATE itself);
 * otherwise a live twin holds the name and this start is refused. Drain and task cap stay
 * as operators set them unless `overrideTaskCap`. Returns whether an existing row was taken.
 */
export async function registerNode({ db, dialect }: ShoalDb, node: NodeRegistration): Promise<{ existed: boolean }> {
  const now = dialect.now();
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('nodes')
      .set({
        version: node.version,
        url: node.url,
        started_at: now,
        last_seen: now,
        stopped_at: null,
        node_id: node.nodeId,
        ...(node.overrideTaskCap ? { task_cap: node.taskCap } : {}),
      })
      .where('name', '=', node.name)
      .where((eb) =>
        eb.or([
          eb('node_id', '=', node.nodeId),
          eb('node_id', 'is', null),
          eb('stopped_at', 'is not', null),
          eb('last_seen', '<', sql<number>`${now} - ${OFFLINE_AFTER_MS}`),
        ]),
      )
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return { existed: true };
    const holder = await trx
      .selectFrom('nodes')
      .select(['url', 'last_seen', sql<number>`${now} - last_seen`.as('silent_ms')])
      .where('name', '=', node.name)
      .executeTakeFirst();
    if (holder) {
      throw new NodeNameInUseError(
        `node name ${node.name} is in use by another running node (${holder.url}, last seen ${new Date(Number(holder.last_seen)).toISOString()}, ` +
          `${(Number(holder.silent_ms) / 1000).toFixed(1)} s ago); give this node another --node-name, or stop that one`,
      );
    }
    await trx
      .insertInto('nodes')
      .values({ name: node.name, node_id: node.nodeId, version: node.version, url: node.url, task_cap: node.taskCap, drain: 0, started_at: now, last_seen: now, stopped_at: null })
      .execute();
    return { existed: false };
  });
}

/** The URL the node answers on, once it listens. */
export async function setNodeUrl({ db }: ShoalDb, name: string, nodeId: string, url: string): Promise<void> {
  await db.updateTable('nodes').set({ url }).where('name', '=', name).where('node_id', '=', nodeId).execute();
}

/**
 * Records that the node is alive. Returns false when its row is gone (deleted while it was
 * Offline) or held by another identity: the node is no longer part of the cluster.
 */
export async function heartbeat({ db, dialect }: ShoalDb, name: string, nodeId: string): Promise<boolean> {
  const r = await db.updateTable('nodes').set({ last_seen: dialect.now() }).where('name', '=', name).where('node_id', '=', nodeId).where('stopped_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markNodeStopped({ db, dialect }: ShoalDb, name: string, nodeId: string): Promise<void> {
  await db.updateTable('nodes').set({ stopped_at: dialect.now() }).where('name', '=', name).where('node_id', '=', nodeId).execute();
}

export interface NodeWithLiveness extends NodeRow {
  running_tasks: number;
  /** Milliseconds since the last heartbeat, by the database clock. */
  silent_ms: number;
}

export async function listNodes({ db, dialect }: ShoalDb, name?: string): Promise<NodeWithLiveness[]> {
  let q = db
    .selectFrom('nodes as n')
    .selectAll('n')
    .select([
      sql<number>`(select count(*) from tasks t where t.node_name = n.name and t.state in ('Executing', 'Cancelling'))`.as('running_tasks'),
      sql<number>`${dialect.now()} - n.last_seen`.as('silent_ms'),
    ]);
  if (name !== undefined) q = q.where('n.name', '=', name);
  const rows = await q.orderBy('n.name').execute();
  return rows.map((r) => ({ ...r, running_tasks: Number(r.running_tasks), silent_ms: Number(r.silent_ms) }));
}

export const nodeIsOffline = (node: NodeWithLiveness): boolean => node.stopped_at != null || node.silent_ms > OFFLINE_AFTER_MS;

export function nodeStatus(node: NodeWithLiveness, clusterVersion: string): NodeStatus {
  if (nodeIsOffline(node)) return 'Offline';
  if (node.version !== clusterVersion) return 'VersionMismatch';
  if (node.drain) return node.running_tasks > 0 ? 'Draining' : 'Drained';
  return 'Running';
}

export interface NodeChange {
  taskCap?: number;
  drain?: boolean;
}

/**
 * Removes a node's row only while it is Offline, re-checked inside the DELETE by the
 * database clock: a node that comes back between the check and the delete keeps its row.
 */
export async function deleteOfflineNode({ db, dialect }: ShoalDb, name: string): Promise<'deleted' | 'online' | 'missing'> {
  const r = await db
    .deleteFrom('nodes')
    .where('name', '=', name)
    .where((eb) => eb.or([eb('stopped_at', 'is not', null), eb('last_seen', '<', sql<number>`${dialect.now()} - ${OFFLINE_AFTER_MS}`)]))
    .executeTakeFirst();
  if (Number(r.numDeletedRows) === 1) return 'deleted';
  return (await db.selectFrom('nodes').select('name').where('name', '=', name).executeTakeFirst()) ? 'online' : 'missing';
}

/** Returns false when there is no such node. */
export async function updateNode({ db }: ShoalDb, name: string, change: NodeChange): Promise<boolean> {
  const set: { task_cap?: number; drain?: number } = {};
  if (change.taskCap !== undefined) set.task_cap = change.taskCap;
  if (change.drain !== undefined) set.drain = change.drain ? 1 : 0;
  if (Object.keys(set).length === 0) {
    return !!(await db.selectFrom('nodes').select('name').where('name', '=', name).executeTakeFirst());
  }
  const r = await db.updateTable('nodes').set(set).where('name', '=', name).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
