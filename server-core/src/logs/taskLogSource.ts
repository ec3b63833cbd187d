import { taskId, type TaskRow } from '../queue/taskRecord.js';
import { storageFs, type StorageFs } from '../storage/storageFs.js';
import { taskLogPath } from './taskLog.js';

/** What a task log is read through: its file on storage, or the text stored with its outcome. */
export interface LogReader {
  /** Up to `length` bytes from `position`; empty at the end. */
  read(length: number, position: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** A log held whole (a short task's, stored in the database with its outcome). */
export function textLog(text: string): LogReader {
  const bytes = Buffer.from(text);
  return {
    read: async (length, position) => bytes.subarray(position, position + length),
    close: async () => {},
  };
}

/** Where a task's log file is (or would be). */
export const taskLogFile = (taskLogsDir: string, task: Pick<TaskRow, 'id'>): string => taskLogPath(taskLogsDir, taskId(Number(task.id)));

/**
 * A task's log: the whole one stored with its outcome when there is one (it is complete,
 * its final line included), else its file; undefined when it has neither.
 */
export async function openTaskLog(taskLogsDir: string, task: Pick<TaskRow, 'id' | 'log_text'>, fs: StorageFs = storageFs): Promise<LogReader | undefined> {
  if (task.log_text !== null) return textLog(task.log_text);
  return fs.openIfExists(taskLogFile(taskLogsDir, task));
}

/** A task's whole log as text ('' when it has none), read on the storage pool. */
export async function taskLogText(taskLogsDir: string, task: Pick<TaskRow, 'id' | 'log_text'>, fs: StorageFs = storageFs): Promise<string> {
  return task.log_text ?? (await fs.readTextIfExists(taskLogFile(taskLogsDir, task))) ?? '';
}
