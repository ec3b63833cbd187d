/**
 * What a task log line may hold. A line is text without line breaks or other control
 * characters (so no script output can forge a field of the SSE stream or a line of the log),
 * at most MAX_LINE_BYTES long (longer ones are cut into marked pieces, so a reader never
 * holds an unbounded line).
 */
export const MAX_LINE_BYTES = 64 * 1024;

/** Ends a piece whose line goes on in the next piece. */
export const CONTINUES_MARK = ' ↩';
/** Starts a piece that continues the line before it. */
export const CONTINUED_MARK = '↪ ';

const MARKS_BYTES = Buffer.byteLength(CONTINUES_MARK) + Buffer.byteLength(CONTINUED_MARK);

/** Line breaks a script may use: CRLF, LF, and a bare CR (a progress bar's segments). */
export const LINE_BREAK = /\r\n|\r|\n/;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Control characters (tab aside) as their visible Unicode "control pictures" (␛, ␀, ␡…). */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

/** Whether `byte` starts a UTF-8 character (is not a continuation byte). */
const startsCharacter = (byte: number) => (byte & 0xc0) !== 0x80;

/** The largest cut ≤ `max` in `bytes` that does not split a UTF-8 character. */
export function utf8Cut(bytes: Uint8Array, max: number): number {
  if (bytes.length <= max) return bytes.length;
  let cut = max;
  while (cut > 0 && !startsCharacter(bytes[cut]!)) cut--;
  return cut || max;
}

/** A line of at most MAX_LINE_BYTES, or its marked pieces when longer. */
export function cutLine(line: string, max = MAX_LINE_BYTES): string[] {
  if (line.length * 3 <= max || Buffer.byteLength(line) <= max) return [line];
  const bytes = Buffer.from(line);
  const pieces: string[] = [];
  const room = max - MARKS_BYTES;
  let at = 0;
  while (at < bytes.length) {
    const rest = bytes.subarray(at);
    const n = rest.length + (at ? Buffer.byteLength(CONTINUED_MARK) : 0) <= max ? rest.length : utf8Cut(rest, room);
    const text = rest.subarray(0, n).toString('utf8');
    at += n;
    pieces.push(`${pieces.length ? CONTINUED_MARK : ''}${text}${at < bytes.length ? CONTINUES_MARK : ''}`);
  }
  return pieces;
}

/** Text as the lines a log stores: split at every line break, made printable, cut to size. */
export function logLines(text: string): string[] {
  const lines = text.split(LINE_BREAK);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines.flatMap((l) => cutLine(printable(l)));
}
