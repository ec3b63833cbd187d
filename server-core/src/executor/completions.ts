import type { ShoalDb } from '../db/dialects/dialect.js';
import { completeTasks } from '../queue/complete.js';
import type { PendingOutcome } from './outbox.js';

/** Outcomes recorded in one statement at most. */
export const MAX_PER_STATEMENT = 400;

interface Waiting {
  outcome: PendingOutcome;
  log: string | undefined;
  settle(err: unknown, recorded?: boolean): void;
}

/**
 * Records outcomes as a group commit: the first goes at once; those that end while its
 * statement is in flight wait and go together in the next one (one per state and message).
 * A busy node so sends one statement for many tasks, an idle one adds no delay.
 */
export class Completions {
  private waiting: Waiting[] = [];
  private sending: Promise<void> | undefined;

  constructor(private readonly shoal: ShoalDb) {}

  /**
   * Resolves with whether the database recorded the outcome. False when its group was not
   * recorded whole: the caller reads the task to learn whether this one was (see Executor.finish).
   * A `log` given is stored with the outcome.
   */
  record(outcome: PendingOutcome, log?: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ outcome, log, settle: (err, recorded) => (err ? reject(err) : resolve(recorded!)) });
      this.send();
    });
  }

  private send(): void {
    if (this.sending || !this.waiting.length) return;
    const batch = this.waiting.splice(0);
    this.sending = this.sendGroups(batch).finally(() => {
      this.sending = undefined;
      this.send();
    });
  }

  private async sendGroups(batch: Waiting[]): Promise<void> {
    const groups = new Map<string, Waiting[]>();
    for (const w of batch) {
      const key = JSON.stringify([w.outcome.state, w.outcome.message]);
      const group = groups.get(key);
      if (group) group.push(w);
      else groups.set(key, [w]);
    }
    for (const whole of groups.values()) {
      // A statement's parameters are bounded (2,100 on SQL Server): four per task at most.
      for (let at = 0; at < whole.length; at += MAX_PER_STATEMENT) {
        const group = whole.slice(at, at + MAX_PER_STATEMENT);
        const { state, message } = group[0]!.outcome;
        try {
          const recorded = await completeTasks(this.shoal, group.map((w) => ({ id: w.outcome.taskId, token: w.outcome.token, log: w.log })), state, message);
          for (const w of group) w.settle(undefined, recorded === group.length);
        } catch (err) {
          for (const w of group) w.settle(err);
        }
      }
    }
  }
}
