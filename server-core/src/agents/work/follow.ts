import { sql } from 'kysely';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { PICKUP_TIMEOUT_MS } from './timings.js';

const FOLLOW_MS = 250;

export interface AgentLogLine {
  stream: 'out' | 'err';
  text: string;
}

export interface AgentWorkOutcome {
  state: 'Success' | 'Failed' | 'Canceled';
  error: string | null;
  exitCode: number | null;
  /** The agent's JSON result (a health check's findings). */
  result: unknown;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows one piece of agent work from the node running its task, whichever node the agent
 * talks to: log chunks in sequence order (each once), cancellation when `signal` aborts
 * (asked through the heartbeat's answer), and the cluster's side of the lease: running work
 * whose lease ran out, or work nobody picked up, ends Failed in one conditional statement
 * on the database clock.
 */
export async function followAgentWork(shoal: ShoalDb, o: FollowOptions): Promise<AgentWorkOutcome> {
  try {
    return await followUntilEnd(shoal, o);
  } finally {
    await forgetAgentWork(shoal, o.workId).catch(() => {});
  }
}

/**
 * Once its outcome is known, the work's script (sealed) and its log chunks are not kept: the
 * task log holds the lines, masked, and the chunks were the agent's output before masking.
 */
async function forgetAgentWork({ db }: ShoalDb, workId: number): Promise<void> {
  await db.deleteFrom('agent_work_logs').where('work_id', '=', workId).execute();
  await db.updateTable('agent_work').set({ payload: '', error: null }).where('id', '=', workId).where('state', 'not in', ['Pending', 'Running']).execute();
}

interface FollowOptions {
  workId: number;
  targetName: string;
  signal: AbortSignal;
  onLines(lines: AgentLogLine[]): void;
}

async function followUntilEnd(shoal: ShoalDb, o: FollowOptions): Promise<AgentWorkOutcome> {
  const { db, dialect } = shoal;
  const now = dialect.now();
  let nextSeq = 0;
  let cancelAsked = false;
  const copyLogs = async () => {
    const chunks = await db.selectFrom('agent_work_logs').select(['seq', 'lines']).where('work_id', '=', o.workId).where('seq', '>=', nextSeq).orderBy('seq').execute();
    for (const c of chunks) {
      if (Number(c.seq) !== nextSeq) break;
      o.onLines(JSON.parse(c.lines) as AgentLogLine[]);
      nextSeq++;
    }
  };
  const end = (state: string, error: string, guard: 'Running' | 'Pending', extra: ReturnType<typeof sql<boolean>>) =>
    db.updateTable('agent_work').set({ state, error, ended_at: now }).where('id', '=', o.workId).where('state', '=', guard).where(extra).execute();
  for (;;) {
    await copyLogs();
    const w = await db.selectFrom('agent_work').selectAll().select(now.as('now')).where('id', '=', o.workId).executeTakeFirst();
    if (!w) return { state: 'Failed', error: 'The work record is gone (its target was deleted).', exitCode: null, result: null };
    if (w.state === 'Success' || w.state === 'Failed' || w.state === 'Canceled') {
      await copyLogs();
      return { state: w.state, error: w.error, exitCode: w.exit_code, result: w.result ? JSON.parse(w.result) : null };
    }
    if (o.signal.aborted && !cancelAsked) {
      cancelAsked = true;
      await end('Canceled', 'Canceled before the agent picked it up.', 'Pending', sql<boolean>`1 = 1`);
      await db.updateTable('agent_work').set({ cancel_requested: 1 }).where('id', '=', o.workId).execute();
    }
    if (w.state === 'Running' && Number(w.lease_expires_at) < Number(w.now)) {
      await end('Failed', `The agent on ${o.targetName} stopped renewing its lease (no heartbeat reached the cluster in time): it stopped, lost its connection, or its machine is down.`, 'Running', sql<boolean>`lease_expires_at < ${now}`);
    }
    if (w.state === 'Pending' && Number(w.created_at) + PICKUP_TIMEOUT_MS < Number(w.now)) {
      await end('Failed', `${o.targetName} did not pick the work up within ${PICKUP_TIMEOUT_MS / 1000} s: its agent is not polling.`, 'Pending', sql<boolean>`created_at < ${now} - ${PICKUP_TIMEOUT_MS}`);
    }
    await sleep(FOLLOW_MS);
  }
}
