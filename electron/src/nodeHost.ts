/**
 * Main-process side of the embedded node: forks the utility process (embeddedNode.ts),
 * waits until the node listens, and stops it gracefully with a deadline.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import type { AttachedNode } from '@shoal/manager/desktop';
import { isNodeToMain, type EmbeddedNodeOptions, type MainToNode } from './nodeMessages.js';

export interface NodeExit {
  code: number;
  /** True when main asked for the stop; false when the node died on its own. */
  requested: boolean;
  /** The last error the node reported, if any. */
  error?: string;
}

export interface NodeHostOptions {
  /** Path of the compiled embeddedNode.js. */
  entry: string;
  node: EmbeddedNodeOptions;
  /** First start only: the generated admin password, or null when SHOAL_ADMIN_PASSWORD was used. */
  onAdminCreated?: (password: string | null) => void;
}

/** stopped: clean stop; failed: the stop itself failed (see `exited`); killed: past the deadline. */
export type StopResult = 'stopped' | 'failed' | 'killed' | 'not-running';

export class EmbeddedNodeHost {
  /** Resolves when the node listens; rejects when it fails or exits first. */
  readonly ready: Promise<AttachedNode>;
  /** Resolves when the utility process has ended, for whatever reason. */
  readonly exited: Promise<NodeExit>;

  readonly #child: UtilityProcess;
  #alive = false;
  #running = true;
  #stopRequested = false;
  #lastError: string | undefined;

  constructor(o: NodeHostOptions) {
    this.#child = utilityProcess.fork(o.entry, [], { serviceName: 'Shoal node', stdio: 'inherit' });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code) => {
        this.#running = false;
        resolve({ code, requested: this.#stopRequested, error: this.#lastError });
      });
    });
    this.ready = new Promise((resolve, reject) => {
      this.#child.on('message', (message: unknown) => {
        if (!isNodeToMain(message)) return;
        switch (message.type) {
          case 'alive':
            this.#alive = true;
            if (!this.#stopRequested) this.#send({ type: 'start', options: o.node });
            break;
          case 'admin-created':
            o.onAdminCreated?.(message.password);
            break;
          case 'ready':
            resolve(message.node);
            break;
          case 'failed':
            this.#lastError = message.message;
            reject(new Error(message.message));
            break;
          case 'stopped':
            break;
        }
      });
      void this.exited.then((exit) =>
        reject(new Error(exit.error ?? `the node process exited (code ${exit.code}) before the node was ready`)),
      );
    });
    // Nobody may be waiting on `ready` by the time it settles (for example on quit during start).
    this.ready.catch(() => {});
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Asks the node to finish: running tasks are ended with `reason`, the node is marked
   * offline and the database closed. Kills the process when that takes longer than `timeoutMs`.
   */
  async stop(reason: string, timeoutMs: number): Promise<StopResult> {
    if (!this.#running) return 'not-running';
    this.#stopRequested = true;
    if (!this.#alive) {
      // The entry has not even loaded: there is no node to stop yet.
      this.#child.kill();
      await this.exited;
      return 'killed';
    }
    this.#send({ type: 'stop', reason });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.exited, deadline]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return outcome.code === 0 ? 'stopped' : 'failed';
    this.#child.kill();
    await this.exited;
    return 'killed';
  }

  #send(message: MainToNode): void {
    this.#child.postMessage(message);
  }
}
