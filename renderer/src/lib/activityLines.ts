import type { LogLine } from './logLine';

/**
 * A deployment's log lines carry the activity (step, server or target) they belong to as a
 * prefix of their text, `[A12] text` (the node's activities/logTags.ts). The live log is
 * split by it so each node of the tree shows its own lines as they arrive.
 */
const TAG = /^\[A(\d{1,15})\] /;

export interface ActivityLines {
  /** Lines of each activity, by its number (`Activities-12` → 12), tag removed. */
  byActivity: Map<number, LogLine[]>;
  /** The task's own lines: start, end, errors outside any step. */
  own: LogLine[];
}

export function splitByActivity(lines: readonly LogLine[]): ActivityLines {
  const byActivity = new Map<number, LogLine[]>();
  const own: LogLine[] = [];
  for (const line of lines) {
    const tag = TAG.exec(line.text);
    if (!tag) {
      own.push(line);
      continue;
    }
    const id = Number(tag[1]);
    const bucket = byActivity.get(id) ?? byActivity.set(id, []).get(id)!;
    bucket.push({ ...line, text: line.text.slice(tag[0].length) });
  }
  return { byActivity, own };
}

/** `Activities-12` → 12. */
export const activityNumber = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? NaN);
