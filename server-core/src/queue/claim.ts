import { sql, type RawBuilder } from 'kysely';
import type { ClaimQuery, ShoalDb, ShoalDialect } from '../db/dialects/dialect.js';
import { FENCE_AFTER_MS } from './leaseTimings.js';
import { SETTING } from '../settings/settings.js';
import type { TaskRow } from './taskRecord.js';

export interface Claimant {
  nodeName: string;
  /** The node's identity (nodes.node_id): a process that lost its row claims nothing. */
  nodeId: string;
  /** Carried by every claimed task; a completion counts only while it still matches. */
  token: string;
}

/**
 * Queued, not expired, queue not paused, and its concurrency tag free with this task first
 * in line by queue time (ties by id).
 */
const eligible = (now: RawBuilder<number>) => sql`
  t.state = 'Queued' and t.expires_at > ${now}
  and not exists (select 1 from settings s where s.${sql.ref('key')} = ${SETTING.queuePaused} and s.value = 'true')
  and (t.concurrency_tag is null or (
        not exists (select 1 from tasks r
                     where r.concurrency_tag = t.concurrency_tag and r.state in ('Executing', 'Cancelling'))
    and not exists (select 1 from tasks q
                     where q.concurrency_tag = t.concurrency_tag and q.state = 'Queued' and q.expires_at > ${now}
                       and (q.queue_time < t.queue_time or (q.queue_time = t.queue_time and q.id < t.id)))))`;

/**
 * The node's cap minus the tasks it still runs; none while it drains, after it stopped,
 * while its version differs from the cluster's, when its row is another process's, or when
 * its last heartbeat is older than the fence: a node claims only inside its lease, judged
 * by the database clock in the claim statement itself.
 */
const freeSlots = (c: Claimant, now: RawBuilder<number>) => sql<number>`
  (select case when n.drain = 1 or n.stopped_at is not null
                 or n.version <> coalesce((select v.value from settings v where v.${sql.ref('key')} = ${SETTING.clusterVersion}), n.version)
                 or n.last_seen < ${now} - ${FENCE_AFTER_MS}
               then 0 else n.task_cap end
     from nodes n where n.name = ${c.nodeName} and n.node_id = ${c.nodeId})
  - (select count(*) from tasks a where a.node_name = ${c.nodeName} and a.state in ('Executing', 'Cancelling'))`;

/** The claim's parts, for the dialect to wrap in its locking statement. */
export function claimQuery(dialect: ShoalDialect, c: Claimant): ClaimQuery {
  const now = dialect.now();
  return {
    nodeName: c.nodeName,
    eligible: eligible(now),
    slots: freeSlots(c, now),
    assignments: sql`state = 'Executing', node_name = ${c.nodeName}, claim_token = ${c.token}, start_time = ${now}`,
  };
}

/**
 * Claims the oldest queued tasks this node has room for, in one statement (on server
 * databases right after locking the node's own row, in the same transaction). Returns them
 * oldest first.
 */
export async function claimTasks({ db, dialect }: ShoalDb, c: Claimant): Promise<TaskRow[]> {
  const rows = (await dialect.claim(db, claimQuery(dialect, c))) as unknown as TaskRow[];
  return rows.sort((a, b) => Number(a.queue_time) - Number(b.queue_time) || Number(a.id) - Number(b.id));
}
