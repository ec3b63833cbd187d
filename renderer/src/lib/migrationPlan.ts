/** Text and sums for the "Move to high availability" wizard: plain functions, unit-tested. */
import type { MigrationPlan, MigrationCounter, MigrationStatus, StorageKind } from '@shoal/server-core/contract';

/** Storage kinds as the wizard names them; an unknown kind shows as the server sent it. */
const KIND_LABEL: Record<StorageKind, string> = {
  packages: 'Packages',
  artifacts: 'Artifacts',
  taskLogs: 'Task logs',
  imports: 'Imports',
  eventExports: 'Event exports',
};
export const kindLabel = (kind: string): string => KIND_LABEL[kind as StorageKind] ?? kind;

/** "1 row", "12,345 rows" (and files, tables…). */
export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export interface PlanTotals {
  tables: number;
  rows: number;
  files: number;
  bytes: number;
}

export function planTotals(plan: Pick<MigrationPlan, 'tables' | 'storage'>): PlanTotals {
  return {
    tables: plan.tables.length,
    rows: plan.tables.reduce((n, t) => n + t.rows, 0),
    files: plan.storage.reduce((n, s) => n + s.files.length, 0),
    bytes: plan.storage.reduce((n, s) => n + s.bytes, 0),
  };
}

export interface ProgressLine extends MigrationCounter {
  name: string;
  /** 0–100, whole. An empty table or folder is 100 once it was reached, 0 before. */
  percent: number;
  started: boolean;
}

/**
 * One line per table (or storage kind): what the running job reported, and the rest of
 * the plan (when the wizard still has it) as not started yet, in the plan's order.
 */
export function progressLines(reported: Record<string, MigrationCounter | undefined>, planned: { name: string; total: number }[] = []): ProgressLine[] {
  const names = [...planned.map((p) => p.name), ...Object.keys(reported).filter((k) => !planned.some((p) => p.name === k))];
  return names.map((name) => {
    const r = reported[name];
    const total = r?.total ?? planned.find((p) => p.name === name)?.total ?? 0;
    const done = r?.done ?? 0;
    const percent = !r ? 0 : total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
    return { name, done, total, percent, started: r !== undefined };
  });
}

/** Done and total over several lines (all tables, or all storage kinds). */
export function sumLines(lines: ProgressLine[]): MigrationCounter {
  return { done: lines.reduce((n, l) => n + Math.min(l.done, l.total), 0), total: lines.reduce((n, l) => n + l.total, 0) };
}

/**
 * What the job is doing now. The server names its phases (checks, schema, verification,
 * config) but not the copying itself, so a table or storage kind that has started and
 * not finished says it: "Copying task logs (12 of 30 files)".
 */
export function currentActivity(step: string | null, tables: ProgressLine[], files: ProgressLine[]): string {
  const file = files.find((l) => l.started && l.done < l.total);
  if (file) return `Copying ${kindLabel(file.name).toLowerCase()} (${file.done.toLocaleString('en-US')} of ${count(file.total, 'file')})`;
  const table = tables.find((l) => l.started && l.done < l.total);
  if (table) return `Copying the rows of ${table.name} (${table.done.toLocaleString('en-US')} of ${count(table.total, 'row')})`;
  return step ?? 'Starting';
}

/** The API's field names in a message become the labels of the form. */
const FIELD_WORDS: [RegExp, string][] = [
  [/\b(?:body\/)?targetUrl\b/g, 'the database URL'],
  [/\b(?:body\/)?storageRoot\b/g, 'the shared storage root'],
];

/** A server message as a sentence: field names in words, a capital first letter, a full stop. */
export function inWords(message: string): string {
  let s = message.trim();
  for (const [re, words] of FIELD_WORDS) s = s.replace(re, words);
  s = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** The checks failed because this node still takes or runs tasks: the wizard offers to drain it. */
export const needsDrain = (message: string): boolean => /\bis running\b|tasks are still running/i.test(message);

/** The folder a file is in, for Windows and POSIX paths alike. */
export const folderOf = (file: string): string => file.replace(/[\\/][^\\/]*$/, '') || file;

/** Which step of the wizard the server's job puts it on; null while the operator fills in or reviews. */
export function jobStep(status: MigrationStatus | null): 'progress' | 'result' | null {
  if (status?.state === 'running' || status?.state === 'failed') return 'progress';
  if (status?.state === 'succeeded') return 'result';
  return null;
}

/** A database URL with its password hidden, for showing on screen. */
export const hidePassword = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:•••@');
