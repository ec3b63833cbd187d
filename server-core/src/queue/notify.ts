import type { QueueListener, ShoalDb } from '../db/dialects/dialect.js';

export const QUEUE_CHANNEL = 'shoal_queue';

/**
 * Tells the other nodes that the queue changed (a task queued, a slot or tag freed, a node
 * undrained): at once where the database delivers notifications, by their poll elsewhere.
 */
export async function notifyQueueChanged({ db, dialect }: ShoalDb): Promise<void> {
  await dialect.notify(db, QUEUE_CHANNEL);
}

/** Calls `onChange` for each queue change other nodes announce; undefined where nodes poll. */
export function listenForQueueChanges(shoal: ShoalDb, onChange: () => void, onError: (err: Error) => void): QueueListener | undefined {
  return shoal.listen(QUEUE_CHANNEL, onChange, onError);
}
