import type { ShoalDb } from '../db/dialects/dialect.js';
import { parseSnapshot, type Snapshot } from '../projects/snapshot.js';
import { formatId } from '../resources/ids.js';
import { taskId } from '../queue/taskRecord.js';

/** What a Deployment or RunbookRun task runs: a snapshot in an environment, with the system variables. */
export interface ProcessRunPlan {
  spaceId: string;
  /** `deployment` or `runbook run`, for messages. */
  what: string;
  environment: { id: string; name: string; key: number };
  snapshot: Snapshot;
  /** `Shoal.*` values every step sees. */
  system: Record<string, string>;
}

/** The system variables every run has: space, project, environment, task. */
function commonSystem(r: { space_id: string; project_id: number; project_name: string }, environment: ProcessRunPlan['environment'], taskNumber: number): Record<string, string> {
  return {
    'Shoal.Space.Id': r.space_id,
    'Shoal.Project.Id': formatId('project', r.project_id),
    'Shoal.Project.Name': r.project_name,
    'Shoal.Environment.Id': environment.id,
    'Shoal.Environment.Name': environment.name,
    'Shoal.Task.Id': taskId(taskNumber),
  };
}

const environmentOf = (r: { environment_id: number; environment_name: string }) => ({ id: formatId('environment', r.environment_id), name: r.environment_name, key: Number(r.environment_id) });

export async function deploymentPlan({ db }: ShoalDb, taskNumber: number) {
  const d = await db
    .selectFrom('deployments as d')
    .innerJoin('releases as r', 'r.id', 'd.release_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .innerJoin('projects as p', 'p.id', 'd.project_id')
    .selectAll('d')
    .select(['r.version', 'r.snapshot', 'r.notes', 'e.name as environment_name', 'p.name as project_name'])
    .where('d.task_id', '=', taskNumber)
    .executeTakeFirst();
  if (!d) throw new Error(`${taskId(taskNumber)} has no deployment record; deployments are queued with POST /api/{spaceId}/deployments.`);
  const environment = environmentOf(d);
  const plan: ProcessRunPlan = {
    spaceId: d.space_id,
    what: 'deployment',
    environment,
    snapshot: parseSnapshot(d.snapshot),
    system: {
      ...commonSystem(d, environment, taskNumber),
      'Shoal.Release.Id': formatId('release', d.release_id),
      'Shoal.Release.Number': d.version,
      'Shoal.Release.Notes': d.notes,
      'Shoal.Deployment.Id': formatId('deployment', d.id),
      'Shoal.Deployment.Comments': d.comments,
      'Shoal.Deployment.CreatedBy': d.created_by ?? '',
    },
  };
  return { plan, deployment: d };
}

export async function runbookRunPlan({ db }: ShoalDb, taskNumber: number) {
  const r = await db
    .selectFrom('runbook_runs as x')
    .innerJoin('runbook_snapshots as s', 's.id', 'x.snapshot_id')
    .innerJoin('runbooks as b', 'b.id', 'x.runbook_id')
    .innerJoin('environments as e', 'e.id', 'x.environment_id')
    .innerJoin('projects as p', 'p.id', 'x.project_id')
    .selectAll('x')
    .select(['s.snapshot', 's.name as snapshot_name', 'b.name as runbook_name', 'e.name as environment_name', 'p.name as project_name'])
    .where('x.task_id', '=', taskNumber)
    .executeTakeFirst();
  if (!r) throw new Error(`${taskId(taskNumber)} has no runbook run record; runbook runs are queued with POST /api/{spaceId}/runbook-runs.`);
  const environment = environmentOf(r);
  const plan: ProcessRunPlan = {
    spaceId: r.space_id,
    what: 'runbook run',
    environment,
    snapshot: parseSnapshot(r.snapshot),
    system: {
      ...commonSystem(r, environment, taskNumber),
      'Shoal.Runbook.Id': formatId('runbook', r.runbook_id),
      'Shoal.Runbook.Name': r.runbook_name,
      'Shoal.Runbook.Snapshot.Name': r.snapshot_name,
      'Shoal.RunbookRun.Id': formatId('runbookRun', r.id),
    },
  };
  return { plan, run: r };
}
