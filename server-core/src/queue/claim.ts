import { sql, type RawBuilder } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { SETTING } from '../settings/settings.js';
import type { TaskRow } from './taskRecord.js';

/**
 * Claims the oldest queued tasks this node has room for, in one statement (on PostgreSQL
 * and SQL Server it runs right after locking the node's own row, in the same transaction):
 * - room = the node's task cap (0 while it drains or runs another version than the cluster)
 *   minus its tasks still Executing/Cancelling;
 * - nothing while the cluster-wide queue pause is on;
 * - a task whose concurrency tag is busy, or is not the oldest queued task of its tag, waits;
 * - expired tasks are left to `expireQueuedTasks`.
 * Every claimed task gets the claim token; completion only counts while the token matches.
 */
export async function claimTasks(shoal: ShoalDb, nodeName: string, claimToken: string): Promise<TaskRow[]> {
  switch (shoal.dialect.name) {
    case 'sqlite':
      return claimSqlite(shoal, nodeName, claimToken);
    case 'postgres':
      return claimLockingNode(shoal, sql`select name from nodes where name = ${nodeName} for update`, claimPostgres(nodeName, claimToken, shoal.dialect.now()));
    case 'mssql':
      return claimLockingNode(shoal, sql`select name from nodes with (updlock, rowlock) where name = ${nodeName}`, claimMssql(nodeName, claimToken, shoal.dialect.now()));
  }
}

/**
 * Runs the claim statement after locking the node's row, so two processes that claim for
 * the same node name (a misconfigured duplicate) take turns: one statement's snapshot
 * cannot see the other's claims, and both would fill the same free slots.
 */
async function claimLockingNode({ db }: ShoalDb, lockNode: RawBuilder<unknown>, claim: RawBuilder<TaskRow>): Promise<TaskRow[]> {
  return db.transaction().execute(async (trx) => {
    await lockNode.execute(trx);
    return (await claim.execute(trx)).rows;
  });
}

/** The conditions every dialect shares: queued, not expired, queue not paused, tag free and first in line. */
const eligible = (now: RawBuilder<number>) => sql`
  t.state = 'Queued' and t.expires_at > ${now}
  and not exists (select 1 from settings s where s.${sql.ref('key')} = ${SETTING.queuePaused} and s.value = 'true')
  and (t.concurrency_tag is null or (
        not exists (select 1 from tasks r
                     where r.concurrency_tag = t.concurrency_tag and r.state in ('Executing', 'Cancelling'))
    and t.id = (select min(q.id) from tasks q where q.concurrency_tag = t.concurrency_tag and q.state = 'Queued')))`;

/**
 * Free slots: the node's cap minus the tasks it still runs; none while it drains, after it
 * stopped, or while its version differs from the cluster's.
 */
const freeSlots = (nodeName: string) => sql`
  (select case when n.drain = 1 or n.stopped_at is not null
                 or n.version <> coalesce((select v.value from settings v where v.${sql.ref('key')} = ${SETTING.clusterVersion}), n.version)
               then 0 else n.task_cap end
     from nodes n where n.name = ${nodeName})
  - (select count(*) from tasks a where a.node_name = ${nodeName} and a.state in ('Executing', 'Cancelling'))`;

/** PostgreSQL: rows another node is claiming right now are skipped, never waited for or taken twice. */
export function claimPostgres(nodeName: string, token: string, now: RawBuilder<number>) {
  return sql<TaskRow>`
    with picked as (
      select t.id from tasks t
       where ${eligible(now)}
       order by t.queue_time, t.id
       limit greatest(0, ${freeSlots(nodeName)})
       for update skip locked)
    update tasks
       set state = 'Executing', node_name = ${nodeName}, claim_token = ${token}, start_time = ${now}
      from picked
     where tasks.id = picked.id
    returning tasks.*`;
}

/** SQL Server: READPAST skips rows locked by another node's claim; UPDLOCK holds the picked ones. */
export function claimMssql(nodeName: string, token: string, now: RawBuilder<number>) {
  return sql<TaskRow>`
    with picked as (
      select top (case when ${freeSlots(nodeName)} > 0 then ${freeSlots(nodeName)} else 0 end) t.*
        from tasks t with (updlock, readpast, rowlock)
       where ${eligible(now)}
       order by t.queue_time, t.id)
    update picked
       set state = 'Executing', node_name = ${nodeName}, claim_token = ${token}, start_time = ${now}
    output inserted.*`;
}

async function claimSqlite({ db, dialect }: ShoalDb, nodeName: string, token: string): Promise<TaskRow[]> {
  const now = dialect.now();
  const statement = sql<TaskRow>`
    update tasks
       set state = 'Executing', node_name = ${nodeName}, claim_token = ${token}, start_time = ${now}
     where id in (
       select t.id from tasks t
        where ${eligible(now)}
        order by t.queue_time, t.id
        limit max(0, coalesce(${freeSlots(nodeName)}, 0)))
    returning *`;
  // One statement in its own implicit transaction: SQLite takes the write lock when a
  // writing statement starts, before its subqueries read (as BEGIN IMMEDIATE would), so two
  // connections can never both see a task as free. Unlike BEGIN … COMMIT across awaits, it
  // never holds the lock while this thread waits: better-sqlite3's busy wait blocks the
  // thread, so a second handle in the same process would otherwise stall for the whole
  // busy timeout and fail with SQLITE_BUSY.
  const { rows } = await statement.execute(db);
  return rows.sort((a, b) => a.queue_time - b.queue_time || Number(a.id) - Number(b.id));
}
