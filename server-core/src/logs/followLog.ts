import { storageFs, type StorageFs } from '../storage/storageFs.js';
import { CONTINUED_MARK, CONTINUES_MARK, MAX_LINE_BYTES, utf8Cut } from './logText.js';
import { endOfLog } from './taskLog.js';
import { textLog, type LogReader } from './taskLogSource.js';

/** A line of the log and the byte offset just after it (a reader resumes from there). */
export interface FollowedLine {
  text: string;
  end: number;
}

/** Lines read, or the end of the log with the task's final state (null when unknown). */
export type FollowItem = { lines: FollowedLine[] } | { end: string | null };

export interface FollowOptions {
  file: string;
  /** The task's final state once it has ended, else null. */
  finalState: () => Promise<string | null>;
  /** The whole log when it was stored with the task's outcome (a short task's, kept in no file), else null. */
  storedWhole?: () => Promise<string | null>;
  signal: AbortSignal;
  /** Byte offset to start from (the end of a line an earlier reader already had). */
  startOffset?: number;
  fs?: StorageFs;
  /** Bytes read at a time: what one reader holds, whatever the log's size. */
  chunkBytes?: number;
  pollMs?: number;
  /** How often the task's state is asked for while no new bytes come. */
  stateEveryMs?: number;
  /**
   * After the task has ended without the log's final line (a node that died), how long
   * reads must find nothing new before the log counts as complete.
   */
  quietMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follows a task log until its own final line (`END <state>`), pulled by the consumer one
 * chunk at a time (a slow reader slows the reads; memory is one chunk plus one line).
 *
 * It keeps the file open and reads at its offset until a read returns nothing, and never
 * asks for the file's size: on a share (NFS, SMB, sshfs) another node's appends arrive
 * late in a cached size and change notifications never come, but a read by an open handle
 * gets the new bytes. A log whose writer died never gets its final line; once the database
 * says the task ended, reads that stay empty for `quietMs` end it. A short task's log, kept
 * whole in the database rather than in a file, is read from there once the task has ended.
 */
export async function* followLog(o: FollowOptions): AsyncGenerator<FollowItem> {
  const fs = o.fs ?? storageFs;
  const chunkBytes = o.chunkBytes ?? 32 * 1024;
  const pollMs = o.pollMs ?? 100;
  const stateEveryMs = o.stateEveryMs ?? 500;
  const quietMs = o.quietMs ?? 2500;
  let offset = o.startOffset ?? 0;
  /** Bytes read but not yet part of a whole line; never more than MAX_LINE_BYTES + a chunk. */
  let partial = Buffer.alloc(0);
  let partialIsContinuation = false;
  let fh: LogReader | undefined;
  let lastStateCheck = 0;
  let finalState: string | null = null;
  /** When something last changed: bytes read, or the task seen to have ended. */
  let lastNews = Date.now();
  try {
    while (!o.signal.aborted) {
      fh ??= await fs.openIfExists(o.file);
      const chunk = fh ? await fh.read(chunkBytes, offset) : Buffer.alloc(0);
      const n = chunk.length;
      if (n > 0) {
        lastNews = Date.now();
        const start = offset - partial.length;
        offset += n;
        const { lines, rest, restIsContinuation, end } = splitLines(Buffer.concat([partial, chunk]), start, partialIsContinuation);
        partial = rest;
        partialIsContinuation = restIsContinuation;
        if (lines.length) yield { lines };
        if (end !== undefined) {
          yield { end };
          return;
        }
        // Let the rest of the node (pings, heartbeats, other requests) in between chunks of a long log.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (Date.now() - lastStateCheck >= stateEveryMs) {
        lastStateCheck = Date.now();
        const wasRunning = finalState === null;
        finalState = await o.finalState();
        if (wasRunning && finalState !== null) {
          lastNews = Date.now();
          // Stored whole, it is the complete log; a file beside it (an outcome whose answer
          // was lost) holds its first lines, so reading goes on at the same offset.
          const whole = await o.storedWhole?.();
          if (whole != null) {
            await fh?.close().catch(() => {});
            fh = textLog(whole);
            continue;
          }
        }
      }
      if (finalState !== null && Date.now() - lastNews >= quietMs) {
        if (partial.length) yield { lines: [{ text: partial.toString('utf8'), end: offset }] };
        yield { end: finalState };
        return;
      }
      await sleep(pollMs, o.signal);
    }
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * Whole lines of `bytes` (which start at file offset `start`), the rest, and the final
 * state if the log's final line is among them. A rest longer than MAX_LINE_BYTES is handed
 * out in marked pieces.
 */
function splitLines(bytes: Buffer, start: number, continuation: boolean) {
  const lines: FollowedLine[] = [];
  let at = 0;
  let end: string | undefined;
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, at)) {
    const text = (continuation ? CONTINUED_MARK : '') + bytes.subarray(at, nl).toString('utf8');
    continuation = false;
    at = nl + 1;
    end = endOfLog(text);
    if (end !== undefined) return { lines, rest: Buffer.alloc(0), restIsContinuation: false, end };
    lines.push({ text, end: start + at });
  }
  while (bytes.length - at > MAX_LINE_BYTES) {
    const cut = utf8Cut(bytes.subarray(at), MAX_LINE_BYTES - 8);
    lines.push({ text: (continuation ? CONTINUED_MARK : '') + bytes.subarray(at, at + cut).toString('utf8') + CONTINUES_MARK, end: start + at + cut });
    continuation = true;
    at += cut;
  }
  return { lines, rest: Buffer.from(bytes.subarray(at)), restIsContinuation: continuation, end };
}
