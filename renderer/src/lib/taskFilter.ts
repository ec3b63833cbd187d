import type { TaskState } from '@shoal/server-core/contract';
import { isTaskState } from './taskStates';

/** What the Tasks page shows, as kept in its URL: `#/tasks?node=N&state=A,B&page=2`. */
export interface TaskFilter {
  states: TaskState[];
  node: string | null;
  /** 1-based. */
  page: number;
}

export function filterFromQuery(q: URLSearchParams): TaskFilter {
  const states = (q.get('state') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(isTaskState);
  const page = Number(q.get('page'));
  return {
    states: [...new Set(states)],
    node: q.get('node') || null,
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

export function filterToHash(f: TaskFilter): string {
  const parts: string[] = [];
  if (f.node) parts.push(`node=${encodeURIComponent(f.node)}`);
  if (f.states.length) parts.push(`state=${f.states.join(',')}`);
  if (f.page > 1) parts.push(`page=${f.page}`);
  return parts.length ? `#/tasks?${parts.join('&')}` : '#/tasks';
}

/** The link from a node to the tasks it is running. */
export const runningTasksOf = (node: string): string => filterToHash({ node, states: ['Executing', 'Cancelling'], page: 1 });
