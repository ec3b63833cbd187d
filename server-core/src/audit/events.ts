import type { ShoalDb } from '../db/dialects/dialect.js';

export interface AuditEvent {
  username: string | null;
  action: string;
  target?: string | null;
  details?: unknown;
  clientIp?: string | null;
}

export async function recordEvent({ db, dialect }: ShoalDb, e: AuditEvent): Promise<void> {
  await db
    .insertInto('events')
    .values({
      occurred: dialect.now(),
      username: e.username,
      action: e.action,
      target: e.target ?? null,
      details: e.details === undefined ? null : JSON.stringify(e.details),
      client_ip: e.clientIp ?? null,
    })
    .execute();
}

export async function listEvents({ db }: ShoalDb, take: number, skip: number) {
  const [rows, count] = await Promise.all([
    db.selectFrom('events').selectAll().orderBy('id', 'desc').limit(take).offset(skip).execute(),
    db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: `Events-${r.id}`,
      occurred: new Date(Number(r.occurred)).toISOString(),
      username: r.username,
      action: r.action,
      target: r.target,
      details: r.details == null ? null : JSON.parse(r.details),
      clientIp: r.client_ip,
    })),
    total: Number(count.n),
  };
}
