import { sql, type Selectable } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { NodesTable } from '../db/schema.js';

export type NodeRow = Selectable<NodesTable>;
export type NodeStatus = 'Running' | 'Draining' | 'Drained' | 'Offline' | 'VersionMismatch';

export const HEARTBEAT_INTERVAL_MS = 5000;
/** A node that missed three heartbeats is Offline. */
export const OFFLINE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export interface NodeRegistration {
  name: string;
  version: string;
  url: string;
  taskCap: number;
}

/** Registers the node, or brings its row back to life. Keeps the drain flag an operator set. */
export async function registerNode({ db, dialect }: ShoalDb, node: NodeRegistration): Promise<void> {
  const now = dialect.now();
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('nodes')
      .set({ version: node.version, url: node.url, task_cap: node.taskCap, started_at: now, last_seen: now, stopped_at: null })
      .where('name', '=', node.name)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await trx
        .insertInto('nodes')
        .values({ name: node.name, version: node.version, url: node.url, task_cap: node.taskCap, drain: 0, started_at: now, last_seen: now, stopped_at: null })
        .execute();
    }
  });
}

/** Records that the node is alive; returns its row (cap and drain as operators last set them). */
export async function heartbeat({ db, dialect }: ShoalDb, name: string): Promise<NodeRow | undefined> {
  await db.updateTable('nodes').set({ last_seen: dialect.now(), stopped_at: null }).where('name', '=', name).execute();
  return db.selectFrom('nodes').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function markNodeStopped({ db, dialect }: ShoalDb, name: string): Promise<void> {
  await db.updateTable('nodes').set({ stopped_at: dialect.now() }).where('name', '=', name).execute();
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

/** Removes an offline node's row; returns false when there is no such node. */
export async function deleteNode({ db }: ShoalDb, name: string): Promise<boolean> {
  const r = await db.deleteFrom('nodes').where('name', '=', name).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
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
