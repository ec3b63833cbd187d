import type { Selectable } from 'kysely';
import type { Target, TargetStatus } from '../contract/targets.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TargetsTable } from '../db/schema.js';
import { formatId, iso } from '../resources/ids.js';

export type TargetRow = Selectable<TargetsTable>;
type TargetRowAt = TargetRow & { now: number };

/**
 * A polling agent is in contact while its polls keep arriving: a poll is held at most 30 s, so
 * silence for longer than this means it is gone (stopped, cut off, or its machine is down).
 */
export const CONTACT_TIMEOUT_MS = 60_000;

/** What the row says, unless the agent has gone silent since: then Unavailable. */
function statusOf(r: TargetRowAt): { status: TargetStatus; summary: string } {
  // A listening agent is silent until a node dials it: its status is its last health check's.
  if (r.mode === 'Listening') return { status: r.status as TargetStatus, summary: r.status_summary };
  const silentFor = r.last_contact === null ? null : Number(r.now) - Number(r.last_contact);
  if (silentFor === null) return { status: r.status as TargetStatus, summary: r.status_summary || 'The agent has not connected yet.' };
  if (silentFor > CONTACT_TIMEOUT_MS) return { status: 'Unavailable', summary: `No contact with the agent for ${Math.round(silentFor / 1000)} s.` };
  return { status: r.status as TargetStatus, summary: r.status_summary };
}

/** Whether work can be given to it now, and if not, why. */
export function unavailableReason(r: TargetRowAt): string | null {
  if (Number(r.is_disabled)) return `${r.name} is disabled.`;
  // Listening: the node running the work dials it and, unreached, fails the work with why.
  if (r.mode === 'Listening') return null;
  if (r.last_contact === null) return `${r.name} is unavailable: its agent has never connected.`;
  const s = statusOf(r);
  return s.status === 'Unavailable' ? `${r.name} is unavailable: ${s.summary}` : null;
}

export function toTarget(r: TargetRowAt): Target {
  const s = statusOf(r);
  return {
    id: formatId('target', r.id),
    spaceId: r.space_id,
    name: r.name,
    mode: r.mode as Target['mode'],
    address: r.address ?? null,
    environmentIds: (JSON.parse(r.environment_ids) as number[]).map((e) => formatId('environment', e)),
    roles: JSON.parse(r.roles) as string[],
    thumbprint: r.thumbprint,
    status: s.status,
    statusSummary: s.summary,
    lastHealthCheck: iso(r.last_health_check),
    lastContact: iso(r.last_contact),
    agentVersion: r.agent_version,
    os: r.os,
    isDisabled: !!Number(r.is_disabled),
  };
}

const withNow = ({ db, dialect }: ShoalDb) => db.selectFrom('targets').selectAll().select(dialect.now().as('now'));

export async function listTargets(shoal: ShoalDb, spaceId: string): Promise<TargetRowAt[]> {
  return (await withNow(shoal).where('space_id', '=', spaceId).orderBy('name_key').execute()) as TargetRowAt[];
}

export async function findTarget(shoal: ShoalDb, spaceId: string, id: number): Promise<TargetRowAt | undefined> {
  return (await withNow(shoal).where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst()) as TargetRowAt | undefined;
}

export async function targetByThumbprint(shoal: ShoalDb, thumbprint: string): Promise<TargetRowAt | undefined> {
  return (await withNow(shoal).where('thumbprint', '=', thumbprint.toUpperCase()).executeTakeFirst()) as TargetRowAt | undefined;
}

/** Enabled or not, the targets of an environment with one of the roles. */
export async function targetsFor(shoal: ShoalDb, spaceId: string, environmentKey: number, roles: string[]): Promise<TargetRowAt[]> {
  const wanted = new Set(roles.map((r) => r.toLowerCase()));
  return (await listTargets(shoal, spaceId)).filter(
    (t) => (JSON.parse(t.environment_ids) as number[]).includes(environmentKey) && (JSON.parse(t.roles) as string[]).some((r) => wanted.has(r.toLowerCase())),
  );
}
