import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listEnvironments } from '../environments/environmentRows.js';
import { formatId, iso } from '../resources/ids.js';
import { taskId } from '../queue/taskRecord.js';

/** Projects × environments, with the latest deployment of each pair. */
export async function dashboard(shoal: ShoalDb, spaceId: string) {
  const { db } = shoal;
  const [envs, projects, latest] = await Promise.all([
    listEnvironments(shoal, spaceId),
    db.selectFrom('projects').select(['id', 'name', 'lifecycle_id']).where('space_id', '=', spaceId).orderBy('name_key').execute(),
    db
      .selectFrom('deployments as d')
      .innerJoin('tasks as t', 't.id', 'd.task_id')
      .innerJoin('releases as r', 'r.id', 'd.release_id')
      .select(['d.id', 'd.project_id', 'd.environment_id', 'd.release_id', 'd.task_id', 'd.created_at', 't.state', 't.completed_time', 'r.version'])
      .where('d.space_id', '=', spaceId)
      .where(
        'd.task_id',
        '=',
        sql<number>`(select max(d2.task_id) from deployments d2 where d2.project_id = d.project_id and d2.environment_id = d.environment_id)`,
      )
      .execute(),
  ]);
  return {
    environments: envs.map((e) => ({ id: formatId('environment', e.id), name: e.name })),
    projects: projects.map((p) => ({ id: formatId('project', p.id), name: p.name, lifecycleId: formatId('lifecycle', p.lifecycle_id) })),
    items: latest.map((d) => ({
      projectId: formatId('project', d.project_id),
      environmentId: formatId('environment', d.environment_id),
      deploymentId: formatId('deployment', d.id),
      releaseId: formatId('release', d.release_id),
      releaseVersion: d.version,
      taskId: taskId(Number(d.task_id)),
      state: d.state,
      createdAt: iso(d.created_at)!,
      completedTime: iso(d.completed_time),
    })),
  };
}
