/** A task log line as the node writes it: `2026-01-01T00:00:00.000Z INFO  text`. */
export interface LogLine {
  /** 1-based line number. */
  n: number;
  time: string | null;
  level: 'INFO' | 'WARN' | 'ERROR' | null;
  text: string;
  /** Byte offset just after the line in the log, when known. */
  end?: number;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (INFO |WARN |ERROR) (.*)$/s;

export function parseLogLine(raw: string, n: number): LogLine {
  const m = LINE.exec(raw);
  if (!m) return { n, time: null, level: null, text: raw };
  return { n, time: m[1]!, level: m[2]!.trim() as LogLine['level'], text: m[3]! };
}

/** Splits a whole log (as GET …/log sends it) into lines; a trailing newline ends the last line. */
export function splitLog(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
