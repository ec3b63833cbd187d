import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export class PortInUseError extends Error {}

const inUse = (host: string, port: number) =>
  new PortInUseError(`port ${port} on ${host} is in use: is another Shoal already running? use --port or SHOAL_PORT`);

const explain = (err: unknown, host: string, port: number): unknown => {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return inUse(host, port);
  if (code === 'EACCES') return new PortInUseError(`port ${port} on ${host} needs privileges this account lacks; use a port above 1023 (--port or SHOAL_PORT)`);
  if (code === 'EADDRNOTAVAIL') return new PortInUseError(`address ${host} is not an address of this machine; use --host`);
  return err;
};

/**
 * Before anything is written or printed: can the node listen where it was told to? (The
 * real listen comes later; this catches the usual mistake — a second node on one port —
 * while nothing has started yet.)
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => reject(explain(err, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Listens, with the same one-line explanations when the port was taken meanwhile. */
export async function listenOrExplain(app: FastifyInstance, host: string, port: number): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    throw explain(err, host, port);
  }
}
