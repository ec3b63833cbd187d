import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/** SQLSTATE classes after which the connection itself is gone: 08 connection, 57P shutdown. */
const isConnectionLoss = (err: unknown): boolean => {
  const code = (err as { code?: unknown })?.code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57P');
};

/**
 * The pool Kysely sees. Kysely releases every client back as healthy; a client whose query
 * timed out on the client side (no answer: a partition) may still have that query in
 * flight, and the next statement would queue behind it. Such a client, or one whose
 * connection failed, is released with an error so the pool destroys it.
 */
export function poolDiscardingBrokenClients(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const release = client.release;
      const query = client.query;
      let broken = false;
      client.query = function (this: pg.PoolClient, ...args: unknown[]) {
        const result = (query as (...a: unknown[]) => unknown).apply(client, args);
        if (!result || typeof (result as Promise<unknown>).then !== 'function') return result;
        return (result as Promise<unknown>).then(
          // Several statements in one simple query answer with one result each; Kysely reads one: the last.
          (r) => (Array.isArray(r) ? r.at(-1) : r),
          (err) => {
            if (isConnectionLoss(err)) broken = true;
            throw err;
          },
        );
      } as typeof client.query;
      client.release = (err?: Error | boolean) => {
        client.query = query;
        release.call(client, err ?? (broken ? true : undefined));
      };
      return client as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
