import type { ShoalClient } from './apiClient.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

/** The task as GET /api/tasks/{id} shows it. */
export interface Task {
  id: string;
  kind: string;
  description: string;
  state: string;
  nodeName: string | null;
  queueTime: string;
  startTime: string | null;
  completedTime: string | null;
  errorMessage: string | null;
}

export const FINAL_STATES = ['Success', 'Failed', 'Canceled', 'TimedOut'];

/** POST /api/tasks for an AdHocScript (bash unless said otherwise). */
export function queueScript(client: ShoalClient, script: string, o: { description?: string; syntax?: string } = {}): Promise<Task> {
  const args: Record<string, string> = { script, syntax: o.syntax ?? 'bash' };
  return client.call<Task>('POST', '/api/tasks', { kind: 'AdHocScript', arguments: args, description: o.description }, 201);
}

export function getTask(client: ShoalClient, id: string): Promise<Task> {
  return client.get<Task>(`/api/tasks/${id}`);
}

/** Waits until the task is in one of `states`; returns it. */
export function waitForTaskState(client: ShoalClient, id: string, states: string[], timeoutMs = 30_000): Promise<Task> {
  return waitFor(
    async () => {
      const t = await getTask(client, id);
      return states.includes(t.state) ? t : undefined;
    },
    { timeoutMs, intervalMs: 50, message: `task ${id} did not reach ${states.join('|')}` },
  );
}

/** The plain-text log of a task. */
export async function taskLog(client: ShoalClient, id: string): Promise<string> {
  const res = await client.request('GET', `/api/tasks/${id}/log`);
  if (res.status !== 200) throw new Error(`GET log of ${id}: ${res.status} ${res.text}`);
  return res.text;
}
