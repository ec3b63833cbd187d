import type { ShoalDb } from '../db/dialects/dialect.js';
import { ACTIVE_STATES } from './states.js';
import { TASK_SUMMARY_COLUMNS, type TaskRow, type TaskSummaryRow } from './taskRecord.js';

export interface TaskQuery {
  states?: string[];
  nodeName?: string;
  take: number;
  skip: number;
}

/** Newest first, with the total matching count. */
export async function listTasks({ db }: ShoalDb, q: TaskQuery): Promise<{ items: TaskSummaryRow[]; total: number }> {
  let base = db.selectFrom('tasks');
  if (q.states?.length) base = base.where('state', 'in', q.states);
  if (q.nodeName) base = base.where('node_name', '=', q.nodeName);
  const [items, count] = await Promise.all([
    base.select(TASK_SUMMARY_COLUMNS).orderBy('id', 'desc').limit(q.take).offset(q.skip).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

export async function getTask({ db }: ShoalDb, id: number): Promise<TaskRow | undefined> {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function activeTasksOfNode({ db }: ShoalDb, nodeName: string): Promise<TaskRow[]> {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('node_name', '=', nodeName)
    .where('state', 'in', ACTIVE_STATES)
    .orderBy('id')
    .execute();
}

/** How many tasks wait and how many run, cluster-wide: one grouped count. */
export async function countQueue({ db }: ShoalDb): Promise<{ queued: number; running: number }> {
  const rows = await db
    .selectFrom('tasks')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['Queued', ...ACTIVE_STATES])
    .groupBy('state')
    .execute();
  const n = (states: string[]) => rows.filter((r) => states.includes(r.state)).reduce((sum, r) => sum + Number(r.n), 0);
  return { queued: n(['Queued']), running: n(ACTIVE_STATES) };
}
