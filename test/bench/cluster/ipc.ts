/**
 * The contract between the cluster benchmark and its child processes (Shoal nodes and
 * baseline workers): Node's IPC channel, JSON messages. The parent asks; the child answers
 * each request with a `reply` of the same name, and sends `ready`/`started` on its own.
 */
export type ParentRequest = 'go' | 'count' | 'profile-start' | 'profile-stop' | 'stop';

export interface ParentMessage {
  type: ParentRequest;
}

export type ChildMessage =
  | { type: 'ready'; url?: string }
  /** A no-op task's run() began; `at` is wall-clock ms (performance.timeOrigin + now()). */
  | { type: 'started'; taskId: string; at: number; node: string }
  | { type: 'reply'; to: ParentRequest; data?: unknown; error?: string }
  | { type: 'fatal'; message: string };

/** Wall-clock milliseconds with sub-millisecond resolution; comparable between processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Child side: send a message to the benchmark (dropped when the parent is gone); resolves once it left. */
export function tell(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(msg, undefined, undefined, () => resolve());
  });
}

/**
 * Child side: answer the parent's requests with `handlers`, and on `stop` (or when the
 * parent disappears) run `stop` and exit, so no child outlives the benchmark.
 */
export function serveParent(handlers: Partial<Record<ParentRequest, () => Promise<unknown>>>, stop: () => Promise<unknown>): void {
  let stopping: Promise<void> | undefined;
  const shutdown = (reply?: (data: unknown) => Promise<void>) =>
    (stopping ??= (async () => {
      // Bounded: a stuck shutdown must not keep the process (and its connections) alive.
      setTimeout(() => process.exit(1), 15_000).unref();
      let code = 0;
      try {
        const data = await stop();
        await reply?.(data);
      } catch (err) {
        process.stderr.write(`stop failed: ${(err as Error).stack ?? err}\n`);
        code = 1;
      }
      process.exit(code);
    })());
  process.on('message', (m: ParentMessage) => {
    const reply = (data: unknown) => tell({ type: 'reply', to: m.type, data });
    if (m.type === 'stop') return void shutdown(reply);
    const handler = handlers[m.type];
    if (!handler) return void tell({ type: 'reply', to: m.type, error: `no handler for ${m.type}` });
    void handler().then(reply, (err: Error) => tell({ type: 'reply', to: m.type, error: err.stack ?? String(err) }));
  });
  process.on('disconnect', () => void shutdown());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void shutdown());
}

/** Child side: report a startup failure and exit. */
export async function fatal(err: unknown): Promise<never> {
  const message = (err as Error)?.stack ?? String(err);
  process.stderr.write(`${message}\n`);
  setTimeout(() => process.exit(1), 1000).unref();
  await tell({ type: 'fatal', message });
  process.exit(1);
}
