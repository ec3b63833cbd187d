/** Server-Sent Events on a hijacked reply: headers at once, then one event per write, kept alive. */
import type { ServerResponse } from 'node:http';

const KEEP_ALIVE_MS = 15_000;

export function openEventStream(res: ServerResponse, onClose: () => void): (event: string, data: unknown) => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  res.once('close', () => {
    clearInterval(keepAlive);
    onClose();
  });
  return (event, data) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}
