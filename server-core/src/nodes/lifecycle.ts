/** A part of a running node with its own timers or connections. */
export interface NodeComponent {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/**
 * Starts a node's components in order and stops them in reverse, in one place; a stop
 * that fails is reported and the others still stop.
 */
export class Lifecycle {
  private readonly started: NodeComponent[] = [];

  async start(...components: NodeComponent[]): Promise<void> {
    for (const c of components) {
      await c.start();
      this.started.push(c);
    }
  }

  async stop(onError: (component: string, err: unknown) => void): Promise<void> {
    while (this.started.length) {
      const c = this.started.pop()!;
      try {
        await c.stop();
      } catch (err) {
        onError(c.name, err);
      }
    }
  }
}

/** A component that runs `tick` every `intervalMs`, never two at once, reporting failures. */
export function everyInterval(name: string, intervalMs: number, tick: () => Promise<unknown>, onError: (err: unknown) => void): NodeComponent {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  return {
    name,
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = true;
        tick()
          .catch(onError)
          .finally(() => (running = false));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
