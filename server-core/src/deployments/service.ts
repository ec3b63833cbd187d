import { conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { deployableEnvironment } from '../environments/deployable.js';
import { listEnvironments } from '../environments/environmentRows.js';
import { findLifecycle, phasesOf } from '../lifecycles/lifecycleRows.js';
import { automaticEnvironments, phaseIndexOf, promotionRefusal } from '../lifecycles/phases.js';
import { findProject } from '../projects/projectRows.js';
import { enqueueTask } from '../queue/enqueue.js';
import { taskId } from '../queue/taskRecord.js';
import type { ReleaseRow } from './releaseRows.js';
import type { Actor } from '../resources/actor.js';
import { formatId } from '../resources/ids.js';
import { releaseReach } from './deploymentViews.js';

export const DEPLOYMENT_KIND = 'Deployment';

/** Deployments of one project to one environment run one at a time, cluster-wide. */
export const deploymentTag = (projectId: number, environmentId: number) => `Deployment/${formatId('project', projectId)}/${formatId('environment', environmentId)}`;

/** Who asks for a deployment: a user (permission checked), or the lifecycle itself (automatic). */
export type Requester = { actor: Actor } | { automaticFor: string };

export interface QueueOptions {
  queueExpiryMs?: number;
  /** An environment whose deployment of this release is finishing successfully right now. */
  alsoSucceeded?: string;
}

/** The lifecycle of a release's project, as phases, with environment names for messages. */
export async function lifecycleView(shoal: ShoalDb, release: ReleaseRow) {
  const project = (await findProject(shoal, release.space_id, release.project_id))!;
  const lifecycle = (await findLifecycle(shoal, release.space_id, project.lifecycle_id))!;
  const phases = await phasesOf(shoal, lifecycle);
  const envs = await listEnvironments(shoal, release.space_id);
  const names = (id: string) => envs.find((e) => formatId('environment', e.id) === id)?.name ?? id;
  return { project, lifecycle, phases, envs, names };
}

/**
 * Queues a deployment of `release` to an environment, within the caller's transaction: the
 * requester's right to deploy there, then the lifecycle (409 naming the phase), then the
 * task (kind Deployment, concurrency tag project+environment) and its record and audit event.
 */
export async function queueDeployment(
  trx: ShoalDb,
  who: Requester,
  release: ReleaseRow,
  environmentRef: string,
  comments: string,
  o: QueueOptions = {},
): Promise<{ id: number; taskId: number }> {
  const spaceId = release.space_id;
  const env = await deployableEnvironment(trx, spaceId, environmentRef, 'actor' in who ? who.actor : undefined, 'deploy to');
  const envText = formatId('environment', env.id);
  const { project, phases, names } = await lifecycleView(trx, release);
  const { succeeded } = await releaseReach(trx, Number(release.id));
  if (o.alsoSucceeded) succeeded.add(o.alsoSucceeded);
  const refusal = promotionRefusal(phases, envText, succeeded, names);
  if (refusal) throw conflict(`Release ${release.version} of ${project.name} cannot be deployed to ${env.name}: ${refusal}`);

  const createdBy = 'actor' in who ? who.actor.username : who.automaticFor;
  const task = await enqueueTask(trx, {
    kind: DEPLOYMENT_KIND,
    description: `Deploy ${project.name} release ${release.version} to ${env.name}`,
    arguments: { releaseId: formatId('release', release.id), environmentId: envText },
    concurrencyTag: deploymentTag(Number(project.id), Number(env.id)),
    createdBy,
    expiryMs: o.queueExpiryMs,
  });
  const row = await insertReturning(trx, 'deployments', {
    space_id: spaceId,
    project_id: Number(project.id),
    release_id: Number(release.id),
    environment_id: Number(env.id),
    task_id: Number(task.id),
    comments,
    created_at: trx.dialect.now(),
    created_by: createdBy,
  });
  await recordEvent(trx, {
    username: 'actor' in who ? who.actor.username : null,
    action: 'actor' in who ? 'deployment.create' : 'deployment.automatic',
    target: formatId('deployment', row.id),
    details: { project: project.name, release: release.version, environment: env.name, task: taskId(Number(task.id)), comments },
    clientIp: 'actor' in who ? who.actor.clientIp : null,
  });
  return { id: Number(row.id), taskId: Number(task.id) };
}

/**
 * Queues the deployments a release is now due in automatic environments: those of each phase
 * whose earlier phases are complete, where it has no deployment yet.
 */
export async function queueAutomaticDeployments(trx: ShoalDb, release: ReleaseRow, triggeredBy: string, o: QueueOptions = {}): Promise<number[]> {
  const { phases } = await lifecycleView(trx, release);
  const { succeeded, deployedTo } = await releaseReach(trx, Number(release.id));
  if (o.alsoSucceeded) succeeded.add(o.alsoSucceeded);
  const queued: number[] = [];
  for (const env of automaticEnvironments(phases, succeeded, deployedTo)) {
    const phase = phases[phaseIndexOf(phases, env)]!;
    const d = await queueDeployment(trx, { automaticFor: triggeredBy }, release, env, `Automatic deployment into the phase ${phase.name}.`, o);
    queued.push(d.taskId);
  }
  return queued;
}
