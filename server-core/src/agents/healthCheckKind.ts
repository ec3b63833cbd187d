import { insertActivity, setActivityState } from '../activities/activityRecords.js';
import { tagLine } from '../activities/logTags.js';
import type { TaskKind } from '../executor/taskKind.js';
import { parseTaskId } from '../queue/taskRecord.js';
import { formatId, parseId } from '../resources/ids.js';
import { listTargets, unavailableReason, type TargetRow } from './targetRows.js';
import { enqueueAgentWork } from './work/enqueue.js';
import { followTargetWork } from './listening/deliver.js';

export const HEALTH_CHECK_KIND = 'HealthCheck';
/** Less free space than this where the agent works makes a target Unhealthy. */
const MIN_FREE_DISK_BYTES = 100 * 1024 * 1024;

interface Findings {
  freeDiskBytes: number;
  agentVersion: string;
  os: string;
}

const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

/**
 * A health check of targets (the given ones, or every target of the space): each one's
 * reachability, agent version and free disk space, each its own branch of the log tree; the
 * target's status and last check are recorded. Fails when any target is not Healthy.
 */
export function healthCheckKind(version: string, masterKey: Buffer): TaskKind {
  return {
    name: HEALTH_CHECK_KIND,
    permission: 'admin',

    parseArguments(args) {
      const { targetIds, ...rest } = args as { targetIds?: unknown };
      const extra = Object.keys(rest);
      if (extra.length) return { error: `arguments.${extra[0]} is not a known argument of HealthCheck (targetIds)` };
      if (targetIds !== undefined && (!Array.isArray(targetIds) || targetIds.some((t) => typeof t !== 'string' || parseId('target', t) === undefined))) {
        return { error: 'arguments.targetIds must be a list of target ids (Machines-1)' };
      }
      return { description: targetIds ? `Health check of ${(targetIds as string[]).join(', ')}` : 'Health check of every target' };
    },

    async run(ctx) {
      const wanted = (ctx.args.targetIds as string[] | undefined)?.map((t) => parseId('target', t)!);
      const targets = (await listTargets(ctx.shoal, 'Spaces-1')).filter((t) => !wanted || wanted.includes(Number(t.id)));
      if (!targets.length) {
        ctx.log.info('No deployment targets to check.');
        return;
      }
      const taskNumber = parseTaskId(ctx.taskId)!;
      const setStatus = (t: TargetRow, status: string, summary: string) =>
        ctx.shoal.db.updateTable('targets').set({ status, status_summary: summary, last_health_check: ctx.shoal.dialect.now() }).where('id', '=', t.id).execute();
      const outcomes = await Promise.all(
        targets.map(async (t, position) => {
          const branch = await insertActivity(ctx.shoal, { taskId: taskNumber, parentId: null, position, kind: 'Target', name: t.name, state: 'Running' });
          const say = (text: string, error = false) => (error ? ctx.log.error(tagLine(branch, text)) : ctx.log.info(tagLine(branch, text)));
          const unavailable = Number(t.is_disabled) ? null : unavailableReason(t);
          if (unavailable) {
            say(unavailable, true);
            await setStatus(t, 'Unavailable', unavailable);
            await setActivityState(ctx.shoal, branch, 'Failed');
            return false;
          }
          const workId = await enqueueAgentWork(ctx.shoal, masterKey, { targetId: Number(t.id), taskId: taskNumber, activityId: branch, kind: 'HealthCheck', payload: {} });
          const r = await followTargetWork(ctx.shoal, { masterKey, nodeName: ctx.nodeName, target: t, logger: ctx.logger }, { workId, targetName: t.name, signal: ctx.signal, onLines: () => {} });
          if (r.state !== 'Success' || !r.result) {
            const why = `${t.name} did not answer its health check: ${r.error ?? r.state}`;
            say(why, true);
            await setStatus(t, 'Unavailable', why);
            await setActivityState(ctx.shoal, branch, r.state === 'Canceled' ? 'Canceled' : 'Failed');
            return false;
          }
          const f = r.result as Findings;
          say(`${t.name} (${formatId('target', t.id)}) answered: agent ${f.agentVersion} on ${f.os}, ${mib(f.freeDiskBytes)} free where it works.`);
          if (f.agentVersion !== version) say(`The agent runs ${f.agentVersion}; the cluster runs ${version}.`);
          const healthy = f.freeDiskBytes >= MIN_FREE_DISK_BYTES;
          const summary = healthy ? `Healthy: ${mib(f.freeDiskBytes)} free.` : `Only ${mib(f.freeDiskBytes)} free where the agent works (less than ${mib(MIN_FREE_DISK_BYTES)}).`;
          if (!healthy) say(summary, true);
          await setStatus(t, healthy ? 'Healthy' : 'Unhealthy', summary);
          await setActivityState(ctx.shoal, branch, healthy ? 'Success' : 'Failed');
          return healthy;
        }),
      );
      ctx.signal.throwIfAborted();
      const bad = outcomes.filter((ok) => !ok).length;
      if (bad) throw new Error(`${bad} of ${targets.length} targets are not healthy; see each target's log.`);
      ctx.log.info(`All ${targets.length} targets are healthy.`);
    },
  };
}
