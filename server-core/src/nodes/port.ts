import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export class PortInUseError extends Error {}

/** Which setting moves a port: the API's, or the agents' comms port. */
export interface PortSetting {
  flags: string;
}
const API_PORT: PortSetting = { flags: '--port or SHOAL_PORT' };
export const COMMS_PORT: PortSetting = { flags: '--comms-port or SHOAL_COMMS_PORT' };

const inUse = (host: string, port: number, p: PortSetting) =>
  new PortInUseError(`port ${port} on ${host} is in use: is another Shoal already running? use ${p.flags}`);

const explain = (err: unknown, host: string, port: number, p: PortSetting = API_PORT): unknown => {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return inUse(host, port, p);
  if (code === 'EACCES') return new PortInUseError(`port ${port} on ${host} needs privileges this account lacks; use a port above 1023 (${p.flags})`);
  if (code === 'EADDRNOTAVAIL') return new PortInUseError(`address ${host} is not an address of this machine; use --host`);
  return err;
};

/**
 * Before anything is written or printed: can the node listen where it was told to? (The
 * real listen comes later; this catches the usual mistake — a second node on one port —
 * while nothing has started yet.)
 */
export async function assertPortFree(host: string, port: number, p: PortSetting = API_PORT): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => reject(explain(err, host, port, p)));
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

/** A plain server (the comms port) listening, with the same explanations. */
export async function listenServerOrExplain(server: net.Server, host: string, port: number, p: PortSetting): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explain(err, host, port, p)));
    server.listen({ host, port }, () => resolve());
  });
}
