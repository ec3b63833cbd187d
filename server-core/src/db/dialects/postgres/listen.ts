import pg from 'pg';
import type { QueueListener } from '../dialect.js';

/**
 * LISTEN on a dedicated connection; reconnects after the database restarts and calls
 * `onChange` once connected again (anything queued while it was not listening).
 */
export function listenOnOwnConnection(url: string, channel: string, onChange: (payload?: string) => void, onError: (err: Error) => void): QueueListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: 'shoal-listener', keepAlive: true, keepAliveInitialDelayMillis: 1000, connectionTimeoutMillis: 5000 });
    client = c;
    c.on('notification', (n) => onChange(n.payload || undefined));
    c.on('error', (err) => {
      onError(err);
      scheduleReconnect(c);
    });
    c.on('end', () => scheduleReconnect(c));
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      onChange();
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
