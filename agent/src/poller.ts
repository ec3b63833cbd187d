import { AGENT_PATHS, type AgentPollAnswer } from '@shoal/server-core/contract';
import { Backoff } from './backoff.js';
import { answerError, type CommsClient } from './comms.js';
import type { PackageDeployer } from './packages/deploy.js';
import type { Say } from './retry.js';
import { AGENT_VERSION } from './version.js';
import { osDescription, runWorkItem } from './work.js';

/** How long a node may hold a poll; the client waits a little longer for its answer. */
const POLL_HOLD_MS = 25_000;

/**
 * Long-polls the cluster (any node: through a balancer or one node's address) for work, up to
 * `capacity` pieces at once. A failed poll reconnects with jittered backoff, saying why.
 */
export class Poller {
  private stopped = false;
  private readonly stopping = new AbortController();
  private running = new Set<Promise<void>>();
  private wakeSlot: (() => void) | undefined;

  constructor(private readonly o: { client: CommsClient; workRoot: string; packages: PackageDeployer; capacity: number; say: Say }) {}

  async run(): Promise<void> {
    const { client, say } = this.o;
    const backoff = new Backoff();
    let connected = false;
    while (!this.stopped) {
      if (this.running.size >= this.o.capacity) {
        await new Promise<void>((r) => (this.wakeSlot = r));
        continue;
      }
      try {
        const a = await client.post(AGENT_PATHS.poll, { capacity: this.o.capacity - this.running.size, agentVersion: AGENT_VERSION, os: osDescription(), waitMs: POLL_HOLD_MS }, POLL_HOLD_MS + 15_000);
        if (a.status !== 200) throw new Error(answerError(a));
        if (!connected) say('connected to the cluster; waiting for work');
        connected = true;
        backoff.reset();
        for (const item of (a.body as AgentPollAnswer).work) {
          // Handed out as the agent stops: not started (its lease runs out and the cluster fails it).
          if (this.stopped) break;
          say(`${item.id}: received ${item.kind} work`);
          const p: Promise<void> = runWorkItem(item, { client, workRoot: this.o.workRoot, packages: { ...this.o.packages, client }, say, stopped: () => this.stopped, stopSignal: this.stopping.signal }).finally(() => {
            this.running.delete(p);
            this.wakeSlot?.();
          });
          this.running.add(p);
        }
      } catch (err) {
        if (this.stopped) break;
        connected = false;
        const delay = backoff.next();
        say(`poll failed (${(err as Error).message}); reconnecting in ${(delay / 1000).toFixed(1)} s`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Stops polling and ends running scripts (their process trees); their results say the agent
   * was stopped, reported once if a node answers within `graceMs`.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wakeSlot?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.o.client.close();
  }
}
