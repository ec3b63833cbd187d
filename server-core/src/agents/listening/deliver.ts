import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { loadOrCreateCommsCertificate } from '../commsCertificate.js';
import { touchContact } from '../contact.js';
import type { TargetRow } from '../targetRows.js';
import { claimWorkById, failPendingWork } from '../work/claimOne.js';
import { followAgentWork, type AgentWorkOutcome } from '../work/follow.js';
import { toWorkItem } from '../work/item.js';
import { serveWorkPost } from '../work/servePost.js';
import { PICKUP_TIMEOUT_MS } from '../work/timings.js';
import type { PackageDownloadOptions } from '../packageDownload.js';
import { AgentPinError, dialAgent } from './dial.js';
import { answerChannelGet } from './packageGet.js';

/** How long a node keeps dialing an agent that answered before; one never reached gets the pickup timeout (it may be starting). */
const REACHED_BEFORE_DIAL_MS = 10_000;
const REDIAL_MAX_MS = 4_000;

type FollowOptions = Parameters<typeof followAgentWork>[1];

export interface TargetWorkOptions {
  masterKey: Buffer;
  nodeName: string;
  target: Pick<TargetRow, 'id' | 'name' | 'mode' | 'address' | 'thumbprint' | 'first_contact'>;
  /** The node's log: a refused certificate is logged there too. */
  logger?: Logger;
  /** Where packages are stored, for a DeployPackage step's download over the channel (absent: none is served). */
  packagesRoot?: string;
}

/**
 * Follows a piece of work queued for a target until its outcome (`followAgentWork`: lines,
 * cancellation, lease). A polling agent fetches the work itself; for a listening agent this
 * node — the one running the task — dials it, hands the work over and carries the agent's
 * posts over that connection until the outcome is known.
 */
export async function followTargetWork(shoal: ShoalDb, o: TargetWorkOptions, follow: FollowOptions): Promise<AgentWorkOutcome> {
  if (o.target.mode !== 'Listening') return followAgentWork(shoal, follow);
  const done = new AbortController();
  const delivering = deliver(shoal, o, follow.workId, done.signal).catch(async (err) => {
    await failPendingWork(shoal, follow.workId, `Could not hand the work to the listening agent of ${o.target.name}: ${(err as Error).message}`).catch(() => {});
  });
  try {
    return await followAgentWork(shoal, follow);
  } finally {
    done.abort();
    await delivering;
  }
}

/**
 * Dials until the work is handed over, then keeps a connection open (redialing when it drops)
 * while the work runs, so the agent's heartbeats, chunks and result reach the database through
 * `serveWorkPost` exactly as a polling agent's posts do. The work is claimed once, by id: it
 * never runs twice. Never reached in time: the pending work fails with why.
 */
async function deliver(shoal: ShoalDb, o: TargetWorkOptions, workId: number, done: AbortSignal): Promise<void> {
  const { target } = o;
  const targetId = Number(target.id);
  if (!target.address) throw new Error(`${target.name} is a listening target without an address; register it again with --public-url`);
  const certificate = await loadOrCreateCommsCertificate(shoal, o.masterKey);
  const packages: PackageDownloadOptions | undefined = o.packagesRoot && o.logger ? { shoal, masterKey: o.masterKey, packagesRoot: o.packagesRoot, logger: o.logger } : undefined;
  const giveUpAt = performance.now() + (target.first_contact === null ? PICKUP_TIMEOUT_MS : REACHED_BEFORE_DIAL_MS);
  let claimed = false;
  let delay = 250;
  while (!done.aborted) {
    let channel;
    try {
      channel = await dialAgent({
        address: target.address,
        thumbprint: target.thumbprint,
        certificate,
        onPost: (p) => serveWorkPost(shoal, o.masterKey, targetId, p.path, p.body),
        onGet: (g) => answerChannelGet(packages, { id: targetId, name: target.name }, g),
      });
    } catch (err) {
      const why = `Could not reach the listening agent of ${target.name} at ${target.address}: ${(err as Error).message}`;
      if (err instanceof AgentPinError) o.logger?.warn({ target: target.name, address: target.address }, `refused the listening agent of ${target.name}: ${err.message}`);
      if (!claimed && (err instanceof AgentPinError || performance.now() >= giveUpAt)) return failPendingWork(shoal, workId, why);
      // Claimed: the follower fails the work when its lease runs out without a heartbeat.
      await sleep(delay, undefined, { signal: done }).catch(() => {});
      delay = Math.min(REDIAL_MAX_MS, delay * 2);
      continue;
    }
    delay = 250;
    try {
      await touchContact(shoal, targetId, channel.hello);
      if (!claimed) {
        const row = await claimWorkById(shoal, { workId, nodeName: o.nodeName });
        if (!row) return; // canceled or failed before it was handed over
        claimed = true;
        channel.send({ type: 'work', item: toWorkItem(row, o.masterKey) });
      }
      await Promise.race([channel.closed, new Promise((r) => done.addEventListener('abort', r, { once: true }))]);
    } finally {
      channel.close();
    }
  }
}
