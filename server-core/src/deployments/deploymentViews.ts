import type { Deployment } from '../contract/deployments.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { formatId, iso } from '../resources/ids.js';
import { taskId } from '../queue/taskRecord.js';

export interface DeploymentFilter {
  spaceId: string;
  ids?: number[];
  projectId?: number;
  environmentId?: number;
  releaseId?: number;
}

function query({ db }: ShoalDb, f: DeploymentFilter) {
  let q = db
    .selectFrom('deployments as d')
    .innerJoin('tasks as t', 't.id', 'd.task_id')
    .innerJoin('releases as r', 'r.id', 'd.release_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .where('d.space_id', '=', f.spaceId);
  if (f.ids) q = q.where('d.id', 'in', f.ids.length ? f.ids : [-1]);
  if (f.projectId !== undefined) q = q.where('d.project_id', '=', f.projectId);
  if (f.environmentId !== undefined) q = q.where('d.environment_id', '=', f.environmentId);
  if (f.releaseId !== undefined) q = q.where('d.release_id', '=', f.releaseId);
  return q;
}

/** Deployments with their task's state and times, newest first. */
export async function listDeployments(shoal: ShoalDb, f: DeploymentFilter, page = { take: 500, skip: 0 }): Promise<{ items: Deployment[]; total: number }> {
  const [rows, count] = await Promise.all([
    query(shoal, f)
      .selectAll('d')
      .select(['t.state', 't.error_message', 't.start_time', 't.completed_time', 'r.version as release_version', 'e.name as environment_name'])
      .orderBy('d.id', 'desc')
      .limit(page.take)
      .offset(page.skip)
      .execute(),
    query(shoal, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r) => ({
    id: formatId('deployment', r.id),
    spaceId: r.space_id,
    projectId: formatId('project', r.project_id),
    releaseId: formatId('release', r.release_id),
    releaseVersion: r.release_version,
    environmentId: formatId('environment', r.environment_id),
    environmentName: r.environment_name,
    taskId: taskId(Number(r.task_id)),
    state: r.state,
    errorMessage: r.error_message,
    comments: r.comments,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by,
    startTime: iso(r.start_time),
    completedTime: iso(r.completed_time),
  }));
  return { items, total: Number(count.n) };
}

export async function getDeployment(shoal: ShoalDb, spaceId: string, id: number): Promise<Deployment | undefined> {
  return (await listDeployments(shoal, { spaceId, ids: [id] })).items[0];
}

/** Where a release has succeeded, and where it has been deployed at all (API environment ids). */
export async function releaseReach({ db }: ShoalDb, releaseId: number): Promise<{ succeeded: Set<string>; deployedTo: Set<string> }> {
  const rows = await db
    .selectFrom('deployments as d')
    .innerJoin('tasks as t', 't.id', 'd.task_id')
    .select(['d.environment_id', 't.state'])
    .where('d.release_id', '=', releaseId)
    .execute();
  const env = (r: { environment_id: number }) => formatId('environment', r.environment_id);
  return { succeeded: new Set(rows.filter((r) => r.state === 'Success').map(env)), deployedTo: new Set(rows.map(env)) };
}
