import { parseLogLine, type LogLine } from './logLine';

/** A line as it arrives: its text and the byte offset just after it in the log. */
export interface RawLine {
  text: string;
  end: number;
}

/** Lines kept in the browser while following; older ones are dropped (and can be loaded again). */
export const MAX_LINES = 5000;

/** How much earlier text one "Load earlier lines" asks for. */
export const EARLIER_BYTES = 256 * 1024;

/**
 * The part of a task log the page holds: a bounded window of lines with the byte offsets
 * where it starts and ends, so a reader can resume after its end and load what is before
 * its start, whatever the log's size.
 */
export class LogWindow {
  constructor(
    readonly lines: LogLine[] = [],
    /** Byte offset of the first kept line's start. */
    readonly start = 0,
    /** Byte offset just after the last kept line. */
    readonly end = 0,
  ) {}

  get hasEarlier(): boolean {
    return this.start > 0;
  }

  /** Lines after the window's end (lines already held are skipped), then trimmed to `max` from the top. */
  append(raw: RawLine[], max = MAX_LINES): LogWindow {
    const fresh = raw.filter((l) => l.end > this.end && !isEndLine(l.text));
    if (!fresh.length) return this;
    let n = this.lines.at(-1)?.n ?? 0;
    const lines = this.lines.concat(fresh.map((l) => ({ ...parseLogLine(l.text, ++n), end: l.end })));
    return new LogWindow(lines, this.start, fresh.at(-1)!.end).trimmed(max);
  }

  /** At most `max` lines, the latest. */
  trimmed(max = MAX_LINES): LogWindow {
    if (this.lines.length <= max) return this;
    const dropped = this.lines.length - max;
    return new LogWindow(this.lines.slice(dropped), this.lines[dropped - 1]!.end!, this.end);
  }

  /**
   * Adds the text of bytes [from, this.start) before the window: whole lines only (a cut
   * first line is left for the next load, unless `from` is the log's start).
   */
  prepend(text: string, from: number): LogWindow {
    const encoder = new TextEncoder();
    let parts = text.split('\n');
    parts.pop(); // the text ends at the window's start: after a newline
    let at = from;
    if (from > 0) {
      at += encoder.encode(parts.shift()! + '\n').length;
    }
    const raw: RawLine[] = [];
    for (const p of parts) {
      at += encoder.encode(p + '\n').length;
      if (!isEndLine(p)) raw.push({ text: p, end: at });
    }
    const firstN = (this.lines[0]?.n ?? 1) - raw.length;
    const before: LogLine[] = raw.map((l, i) => ({ ...parseLogLine(l.text, firstN + i), end: l.end }));
    const start = from > 0 ? from + encoder.encode(text.split('\n')[0]! + '\n').length : 0;
    return new LogWindow(before.concat(this.lines), start, this.end);
  }
}

/** The log's own final line (`<time> END   <state>`): the end of the log, not a line to show. */
export const isEndLine = (raw: string): boolean => /^\S+ END {3}\S+$/.test(raw);
