import pg from 'pg';
import { summarize, type Summary } from '../stats.js';

export interface PgFloor {
  /** `select 1` from the bench process: one round trip to the server. */
  roundTripMs: Summary;
  /** pg_notify on one connection → the notification read on another (both in the bench process). */
  notifyMs: Summary;
}

/**
 * What the machine allows right now, measured beside the latency runs: a bare round trip and
 * a bare LISTEN/NOTIFY hop. Shoal's cross-node path takes several of each (insert, notify,
 * claim transaction) plus HTTP and the hops between four processes.
 */
export async function measurePgFloor(url: string, n: number): Promise<PgFloor> {
  const talker = new pg.Client({ connectionString: url, application_name: 'bench-floor' });
  const listener = new pg.Client({ connectionString: url, application_name: 'bench-floor' });
  await talker.connect();
  await listener.connect();
  try {
    await listener.query('listen bench_floor');
    const rt: number[] = [];
    const hop: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await talker.query('select 1');
      rt.push(performance.now() - t0);
    }
    for (let i = 0; i < n; i++) {
      const heard = new Promise<number>((resolve) => listener.once('notification', () => resolve(performance.now())));
      const t0 = performance.now();
      await talker.query(`select pg_notify('bench_floor', '')`);
      hop.push((await heard) - t0);
    }
    return { roundTripMs: summarize(rt), notifyMs: summarize(hop) };
  } finally {
    await talker.end().catch(() => {});
    await listener.end().catch(() => {});
  }
}
