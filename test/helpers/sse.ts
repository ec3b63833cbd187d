import { parseSseBlock } from '../../server-core/src/testing/sse.js';

export interface SseEvent {
  event: string;
  data: string;
  /** performance.now() when the event was complete on the client. */
  at: number;
}

/**
 * Opens the stream; a connection that fails before any answer (nothing was read, so nothing
 * can be lost or doubled) is tried once more, as a browser's EventSource reconnects. The error
 * of a second failure names its cause (fetch says only "fetch failed").
 */
async function openStream(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { headers, signal });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      if (signal.aborted || !cause) throw err;
      if (attempt === 2) throw new Error(`${url}: ${(err as Error).message} (${cause.message}), twice`, { cause });
      process.stderr.write(`sse: ${url}: ${(err as Error).message} (${cause.message}); connecting again\n`);
    }
  }
}

/**
 * Reads a text/event-stream to its end, calling `onEvent` as each event arrives
 * (comments such as keep-alives are skipped). Resolves with every event, the raw text and
 * the node that answered (`X-Shoal-Node`).
 */
export async function readEventStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (e: SseEvent) => void = () => {},
  timeoutMs = 60_000,
  /** Ends the reading early (an endless stream); what was read so far is returned. */
  stop?: AbortSignal,
): Promise<{ status: number; contentType: string; events: SseEvent[]; raw: string; node: string | null }> {
  const signal = stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs);
  const res = await openStream(url, { ...headers, accept: 'text/event-stream' }, signal);
  const contentType = res.headers.get('content-type') ?? '';
  const node = res.headers.get('x-shoal-node');
  const events: SseEvent[] = [];
  let raw = '';
  if (!res.body) return { status: res.status, contentType, events, raw, node };
  const decoder = new TextDecoder();
  let buf = '';
  const flush = (block: string) => {
    const parsed = parseSseBlock(block);
    if (!parsed) return;
    const e = { event: parsed.event, data: parsed.data, at: performance.now() };
    events.push(e);
    onEvent(e);
  };
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      const text = decoder.decode(chunk, { stream: true });
      raw += text;
      buf += text.replace(/\r\n?/g, '\n');
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        flush(buf.slice(0, idx));
        buf = buf.slice(idx + 2);
      }
    }
  } catch (err) {
    if (!stop?.aborted) throw err;
  }
  if (buf.trim()) flush(buf);
  return { status: res.status, contentType, events, raw, node };
}
