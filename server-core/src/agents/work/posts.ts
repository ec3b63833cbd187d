import { sql } from 'kysely';
import type { AgentResultBody } from '../../contract/targets.js';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { isUniqueViolation } from '../../packages/uniqueViolation.js';
import { encryptValue } from '../../secrets/masterKey.js';
import { WORK_LEASE_MS } from './timings.js';

/** What the agent's posts about one piece of work get: taken, or refused for good (with why), or retry later. */
export type PostOutcome = { ok: true; cancel?: boolean } | { ok: false; status: 409 | 404 | 503; message: string };

async function workOf({ db }: ShoalDb, id: number, targetId: number) {
  return db.selectFrom('agent_work').select(['id', 'state', 'claim_token', 'cancel_requested', 'error']).where('id', '=', id).where('target_id', '=', targetId).executeTakeFirst();
}

/** Why a post with this token is refused for good. */
const refused = (w: { state: string; claim_token: string | null; error: string | null }, token: string): PostOutcome =>
  w.claim_token !== token
    ? { ok: false, status: 409, message: 'This work was claimed under another token.' }
    : { ok: false, status: 409, message: `This work has ended (${w.state})${w.error ? `: ${w.error}` : ''}.` };

/** Renews the lease of running work; the answer says whether the cluster wants it canceled. */
export async function heartbeat(shoal: ShoalDb, targetId: number, id: number, token: string): Promise<PostOutcome> {
  const { db, dialect } = shoal;
  const r = await db
    .updateTable('agent_work')
    .set({ lease_expires_at: sql<number>`${dialect.now()} + ${WORK_LEASE_MS}` })
    .where('id', '=', id)
    .where('target_id', '=', targetId)
    .where('claim_token', '=', token)
    .where('state', '=', 'Running')
    .executeTakeFirst();
  const w = await workOf(shoal, id, targetId);
  if (!w) return { ok: false, status: 404, message: `There is no work ${id} for this target.` };
  if (Number(r.numUpdatedRows) !== 1) return refused(w, token);
  return { ok: true, cancel: !!Number(w.cancel_requested) };
}

/** Stores one numbered chunk of lines; the same chunk posted again is taken once. */
export async function appendLog(shoal: ShoalDb, targetId: number, id: number, token: string, seq: number, lines: unknown[]): Promise<PostOutcome> {
  const w = await workOf(shoal, id, targetId);
  if (!w) return { ok: false, status: 404, message: `There is no work ${id} for this target.` };
  if (w.claim_token !== token || w.state !== 'Running') {
    const already = await shoal.db.selectFrom('agent_work_logs').select('id').where('work_id', '=', id).where('seq', '=', seq).executeTakeFirst();
    if (already && w.claim_token === token) return { ok: true };
    return refused(w, token);
  }
  try {
    await shoal.db.insertInto('agent_work_logs').values({ work_id: id, seq, lines: JSON.stringify(lines) }).execute();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return { ok: true };
}

/** What a finished piece of work leaves for the step: a health check's findings, or the output variables its scripts set (sealed: some may be sensitive). */
function resultOf(body: AgentResultBody, masterKey: Buffer): string | null {
  if (body.health) return JSON.stringify(body.health);
  if (body.outputVariables?.length) return JSON.stringify({ outputVariables: encryptValue(masterKey, JSON.stringify(body.outputVariables)) });
  return null;
}

/**
 * Records the outcome once every chunk the agent sent is stored. A result posted again after
 * it was recorded is taken (the answer to the first was lost); after the lease ran out and the
 * cluster failed the work, it is refused.
 */
export async function complete(shoal: ShoalDb, masterKey: Buffer, targetId: number, id: number, body: AgentResultBody): Promise<PostOutcome> {
  const { db, dialect } = shoal;
  const w = await workOf(shoal, id, targetId);
  if (!w) return { ok: false, status: 404, message: `There is no work ${id} for this target.` };
  const { count } = await db.selectFrom('agent_work_logs').select((eb) => eb.fn.countAll<number>().as('count')).where('work_id', '=', id).executeTakeFirstOrThrow();
  if (Number(count) < body.logChunks) return { ok: false, status: 503, message: `Only ${count} of ${body.logChunks} log chunks are stored; send the result again.` };
  const state = body.canceled ? 'Canceled' : body.exitCode === 0 && !body.error ? 'Success' : 'Failed';
  const error = body.error ?? (state === 'Failed' ? (body.exitCode === null ? 'The script was ended by a signal.' : `The script exited with code ${body.exitCode}.`) : null);
  const r = await db
    .updateTable('agent_work')
    .set({ state, exit_code: body.exitCode, error: error?.slice(0, 4000) ?? null, result: resultOf(body, masterKey), ended_at: dialect.now() })
    .where('id', '=', id)
    .where('target_id', '=', targetId)
    .where('claim_token', '=', body.token)
    .where('state', '=', 'Running')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return { ok: true };
  const after = (await workOf(shoal, id, targetId))!;
  if (after.claim_token === body.token && after.state === state) return { ok: true };
  return refused(after, body.token);
}
