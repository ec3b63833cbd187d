/**
 * Log lines of a deployment carry the id of the activity (step, server or target) they
 * belong to, as a prefix of their text: `[A12] text`. The tree is rebuilt from any copy of
 * the log, whatever writes or relays it, as long as each line's text reaches it whole.
 */
const TAG = /\[A(\d{1,15})\] /;

export const tagLine = (activityId: number, text: string): string => `[A${activityId}] ${text}`;

export interface LogLineParts {
  time: string | null;
  level: string;
  activityId: number | null;
  text: string;
}

/**
 * A stored line: `<time> <LEVEL> <text>` as the task log writes it; anything else counts as
 * text. The tag is looked for at the start of the text.
 */
export function parseLogLine(line: string): LogLineParts {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (INFO|WARN|ERROR) ? (.*)$/.exec(line);
  const time = m ? m[1]! : null;
  const level = m ? m[2]! : 'INFO';
  const rest = m ? m[3]! : line;
  const tag = TAG.exec(rest);
  if (!tag || tag.index !== 0) return { time, level, activityId: null, text: rest };
  return { time, level, activityId: Number(tag[1]), text: rest.slice(tag[0].length) };
}
