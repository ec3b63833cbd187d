import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import type { TaskRow } from './taskRecord.js';

export const DEFAULT_QUEUE_EXPIRY_MS = 24 * 60 * 60 * 1000;

export interface NewTask {
  kind: string;
  description: string;
  arguments: unknown;
  concurrencyTag?: string | null;
  createdBy?: string | null;
  /** How long the task may wait in the queue before it ends TimedOut. */
  expiryMs?: number;
}

export async function enqueueTask(shoal: ShoalDb, task: NewTask): Promise<TaskRow> {
  const now = shoal.dialect.now();
  const expiry = task.expiryMs ?? DEFAULT_QUEUE_EXPIRY_MS;
  return insertReturning(shoal, 'tasks', {
    kind: task.kind,
    description: task.description,
    arguments: JSON.stringify(task.arguments ?? {}),
    state: 'Queued',
    concurrency_tag: task.concurrencyTag ?? null,
    created_by: task.createdBy ?? null,
    queue_time: now,
    expires_at: sql<number>`${now} + ${expiry}`,
  });
}
