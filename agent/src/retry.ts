import { Backoff } from './backoff.js';
import { answerError, type CommsAnswer, type CommsPoster } from './comms.js';

export type Say = (line: string) => void;

/** The node refused the post for good (409: the work is no longer this agent's; 400, 404, 413: the same post would be refused again). */
export class RefusedError extends Error {}

const FINAL_STATUSES = new Set([400, 404, 409, 413]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Posts until a node takes it: through whichever node answers (a node dying mid-work is just
 * a reconnect), backing off 1 s → 60 s and saying why. A refusal that a retry cannot change
 * (FINAL_STATUSES) is thrown; others are retried like a network error.
 */
export async function postUntilTaken(client: CommsPoster, path: string, body: unknown, say: Say, what: string, stopped: () => boolean): Promise<CommsAnswer> {
  const backoff = new Backoff();
  for (;;) {
    let why: string;
    try {
      const a = await client.post(path, body, 30_000);
      if (a.status >= 200 && a.status < 300) return a;
      if (FINAL_STATUSES.has(a.status)) throw new RefusedError(answerError(a));
      why = answerError(a);
    } catch (err) {
      if (err instanceof RefusedError) throw err;
      why = (err as Error).message;
    }
    if (stopped()) throw new Error(`stopped before the ${what} reached the cluster`);
    const delay = backoff.next();
    say(`${what} failed (${why}); reconnecting in ${(delay / 1000).toFixed(1)} s`);
    await sleep(delay);
  }
}
