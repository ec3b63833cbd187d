import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { followLog, type FollowedLine, type FollowOptions } from './followLog.js';
import { printable } from './logText.js';
import type { LogReader } from './taskLogSource.js';

/**
 * One SSE event per line, its id the byte offset after it (a reconnecting EventSource sends
 * it back as Last-Event-ID). The text is made printable again here, whatever the file holds
 * (logs of older versions kept bare CRs): a CR would end the `data:` field and let the
 * rest of the line forge an `event:` field.
 */
export const sseLines = (lines: FollowedLine[]): string => lines.map((l) => `id: ${l.end}\ndata: ${printable(l.text)}\n\n`).join('');
export const sseEnd = (state: string | null): string => `event: end\ndata: ${JSON.stringify({ state })}\n\n`;

const KEEP_ALIVE_MS = 15_000;

export type StreamLogOptions = Pick<FollowOptions, 'file' | 'finalState' | 'storedWhole' | 'startOffset' | 'signal' | 'fs'>;

/** Starts an event-stream answer, with the headers the framework had set for it (the node's name…). */
export function writeEventStreamHead(res: ServerResponse, headers: Record<string, string | number | string[] | undefined> = {}): void {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
}

/** Comments that keep proxies from closing a quiet stream, until the returned function is called. */
export function keepAlive(res: ServerResponse): () => void {
  const timer = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  return () => clearInterval(timer);
}

/**
 * Resolves when the socket's buffer has drained or the answer is closed, leaving no listener
 * behind. (`Promise.race` of two `events.once` left the loser's listeners on the answer: one
 * per full buffer, thousands on a long log, all removed one by one — quadratically — when
 * the reader went away, which stalled the event loop for seconds.)
 */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams a task log from storage as Server-Sent Events until its end (the head already
 * written). Reads wait while the socket's buffer is full, so a slow client holds one chunk,
 * not the log.
 */
export async function streamTaskLog(res: ServerResponse, o: StreamLogOptions): Promise<void> {
  const stopKeepAlive = keepAlive(res);
  try {
    for await (const item of followLog(o)) {
      const text = 'lines' in item ? sseLines(item.lines) : sseEnd(item.end);
      if (!res.write(text) && !o.signal.aborted) await drainedOrClosed(res);
      if (o.signal.aborted) break;
    }
  } finally {
    stopKeepAlive();
  }
}

/** `bytes=A-B` (both ends given, inclusive): what a reader asks for to load earlier lines of a long log. */
export function parseLogRange(header: string | undefined): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d{1,15})-(\d{1,15})$/.exec(header.trim()) : null;
  if (!m || Number(m[2]) < Number(m[1])) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}

/**
 * The log's bytes (all, or those of `range`), read in bounded chunks (from a file, on the
 * storage pool); undefined when there is no log.
 */
export function readLog(fh: LogReader | undefined, range?: { start: number; end: number }, chunkBytes = 256 * 1024): Readable | undefined {
  if (!fh) return undefined;
  const stop = range ? range.end + 1 : Infinity;
  async function* chunks() {
    try {
      for (let offset = range?.start ?? 0; offset < stop; ) {
        const chunk = await fh!.read(Math.min(chunkBytes, stop - offset), offset);
        if (chunk.length === 0) return;
        offset += chunk.length;
        yield chunk;
      }
    } finally {
      await fh!.close().catch(() => {});
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
