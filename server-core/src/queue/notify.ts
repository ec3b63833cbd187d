import { sql } from 'kysely';
import pg from 'pg';
import type { ShoalDb } from '../db/dialects/dialect.js';

export const QUEUE_CHANNEL = 'shoal_queue';

/**
 * Tells the other nodes that the queue changed (a task queued, a slot or tag freed, a node
 * undrained). PostgreSQL delivers it through LISTEN/NOTIFY; elsewhere nodes poll briefly.
 */
export async function notifyQueueChanged(shoal: ShoalDb): Promise<void> {
  if (shoal.dialect.name !== 'postgres') return;
  await sql`select pg_notify(${QUEUE_CHANNEL}, '')`.execute(shoal.db);
}

export interface QueueListener {
  close(): Promise<void>;
}

/**
 * Listens for queue changes on a dedicated PostgreSQL connection and calls `onChange` for
 * each; reconnects after the database restarts. On other dialects returns undefined and
 * the executor relies on its short poll.
 */
export function listenForQueueChanges(
  shoal: ShoalDb,
  url: string,
  onChange: () => void,
  onError: (err: Error) => void,
): QueueListener | undefined {
  if (shoal.dialect.name !== 'postgres') return undefined;
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: 'shoal-listener' });
    client = c;
    c.on('notification', () => onChange());
    c.on('error', (err) => {
      onError(err);
      scheduleReconnect(c);
    });
    c.on('end', () => scheduleReconnect(c));
    try {
      await c.connect();
      await c.query(`listen ${QUEUE_CHANNEL}`);
      onChange(); // anything queued while we were not listening
    } catch (err) {
      onError(err as Error);
      scheduleReconnect(c);
    }
  };
  const scheduleReconnect = (c: pg.Client) => {
    if (closed || client !== c || retry) return;
    client = undefined;
    c.end().catch(() => {});
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 500);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
