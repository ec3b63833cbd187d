import type { NodeContext } from '../nodeContext.js';
import { badRequest, conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { ProcessBody, ProjectBody, VariablesBody } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { insertReturning } from '../db/insertReturning.js';
import { defaultLifecycle, findLifecycle } from '../lifecycles/lifecycleRows.js';
import type { Actor } from '../resources/actor.js';
import { formatId, missing, parseId } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { parseVariables, storeVariables, toVariable } from '../variables/storedVariables.js';
import { knownIds } from './knownIds.js';
import { normalizeProcess, parseProcess, runsScriptsOnServer, serializeProcess } from './process.js';
import { findProject, toProject, type ProjectRow } from './projectRows.js';
import { projectRunsServerScripts, requireServerScriptRights } from './serverScripts.js';
import { UNFINISHED_STATES } from '../queue/states.js';

/** What project changes need besides the database. */
export interface ProjectDeps {
  shoal: ShoalDb;
  masterKey: Buffer;
  /** Scripts on the built-in worker run as a separate account (`builtInWorkerRunAs`). */
  runAsConfigured: boolean;
}

export const projectDeps = (ctx: NodeContext): ProjectDeps => ({ shoal: ctx.shoal, masterKey: ctx.masterKey, runAsConfigured: !!ctx.config.builtInWorkerRunAs });

const takenMessage = (name: string) => `A project named ${name} already exists in this space.`;

async function lifecycleFor(shoal: ShoalDb, spaceId: string, lifecycleId: string | undefined): Promise<number> {
  if (lifecycleId === undefined) {
    const d = await defaultLifecycle(shoal, spaceId);
    if (!d) throw conflict(`${spaceId} has no default lifecycle.`);
    return Number(d.id);
  }
  const n = parseId('lifecycle', lifecycleId);
  if (n === undefined || !(await findLifecycle(shoal, spaceId, n))) throw badRequest(`lifecycleId: there is no lifecycle ${lifecycleId} in ${spaceId}`);
  return n;
}

async function librarySetIds(shoal: ShoalDb, spaceId: string, ids: string[] | undefined): Promise<number[]> {
  const out: number[] = [];
  for (const [i, raw] of (ids ?? []).entries()) {
    const n = parseId('libraryVariableSet', raw);
    const row = n === undefined ? undefined : await shoal.db.selectFrom('library_variable_sets').select('id').where('space_id', '=', spaceId).where('id', '=', n).executeTakeFirst();
    if (!row) throw badRequest(`libraryVariableSetIds[${i}]: there is no library variable set ${raw} in ${spaceId}`);
    if (!out.includes(n!)) out.push(n!);
  }
  return out;
}

export async function requireProject(shoal: ShoalDb, spaceId: string, id: number): Promise<ProjectRow> {
  const row = await findProject(shoal, spaceId, id);
  if (!row) throw missing('project', id, spaceId);
  return row;
}

export async function createProject({ shoal }: ProjectDeps, actor: Actor, spaceId: string, body: ProjectBody) {
  return saveNamed(shoal, 'projects', { space: spaceId }, body.name, undefined, takenMessage(body.name), async (trx) => {
      const now = trx.dialect.now();
      const row = await insertReturning(trx, 'projects', {
        ...namedColumns(body.name, body.description),
        space_id: spaceId,
        lifecycle_id: await lifecycleFor(trx, spaceId, body.lifecycleId),
        process: serializeProcess([]),
        variables: '[]',
        library_variable_set_ids: JSON.stringify(await librarySetIds(trx, spaceId, body.libraryVariableSetIds)),
        created_at: now,
        updated_at: now,
      });
      await recordEvent(trx, { username: actor.username, action: 'project.create', target: formatId('project', row.id), details: body, clientIp: actor.clientIp });
      return toProject(row);
  });
}

export async function updateProject({ shoal, runAsConfigured }: ProjectDeps, actor: Actor, spaceId: string, id: number, body: ProjectBody) {
  return saveNamed(shoal, 'projects', { space: spaceId }, body.name, id, takenMessage(body.name), async (trx) => {
      const before = await requireProject(trx, spaceId, id);
      const sets = body.libraryVariableSetIds === undefined ? before.library_variable_set_ids : JSON.stringify(await librarySetIds(trx, spaceId, body.libraryVariableSetIds));
      // Library variables reach the project's scripts, so changing which sets it uses is like changing its variables.
      if (sets !== before.library_variable_set_ids) requireServerScriptRights(actor, runAsConfigured, await projectRunsServerScripts(trx, id), `The project ${before.name}`);
      await trx.db
        .updateTable('projects')
        .set({
          ...namedColumns(body.name, body.description, before.description),
          lifecycle_id: body.lifecycleId === undefined ? before.lifecycle_id : await lifecycleFor(trx, spaceId, body.lifecycleId),
          library_variable_set_ids: sets,
          updated_at: trx.dialect.now(),
        })
        .where('id', '=', id)
        .execute();
      await recordEvent(trx, { username: actor.username, action: 'project.update', target: formatId('project', id), details: body, clientIp: actor.clientIp });
      return toProject((await findProject(trx, spaceId, id))!);
  });
}

/** Deletes the project with its releases, deployment records, runbooks and triggers; refused while one of its tasks is queued or running. */
export async function deleteProject({ shoal }: ProjectDeps, actor: Actor, spaceId: string, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const row = await requireProject(trx, spaceId, id);
    const { db } = trx;
    const busy =
      (await db.selectFrom('deployments as d').innerJoin('tasks as t', 't.id', 'd.task_id').select('t.id').where('d.project_id', '=', id).where('t.state', 'in', UNFINISHED_STATES).executeTakeFirst()) ??
      (await db.selectFrom('runbook_runs as r').innerJoin('tasks as t', 't.id', 'r.task_id').select('t.id').where('r.project_id', '=', id).where('t.state', 'in', UNFINISHED_STATES).executeTakeFirst());
    if (busy) throw conflict(`${row.name} has a deployment or runbook run queued or running (ServerTasks-${busy.id}); cancel it or wait for it first.`);
    const runbookIds = (await db.selectFrom('runbooks').select('id').where('project_id', '=', id).execute()).map((r) => Number(r.id));
    const triggerIds = (await db.selectFrom('triggers').select('id').where('project_id', '=', id).execute()).map((r) => Number(r.id));
    if (triggerIds.length) await db.deleteFrom('trigger_firings').where('trigger_id', 'in', triggerIds).execute();
    await db.deleteFrom('triggers').where('project_id', '=', id).execute();
    await db.deleteFrom('runbook_runs').where('project_id', '=', id).execute();
    if (runbookIds.length) await db.deleteFrom('runbook_snapshots').where('runbook_id', 'in', runbookIds).execute();
    await db.deleteFrom('runbooks').where('project_id', '=', id).execute();
    await db.deleteFrom('deployments').where('project_id', '=', id).execute();
    await db.deleteFrom('releases').where('project_id', '=', id).execute();
    await db.deleteFrom('projects').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'project.delete', target: formatId('project', id), details: { name: row.name }, clientIp: actor.clientIp });
  });
}

export async function saveProcess({ shoal, runAsConfigured }: ProjectDeps, actor: Actor, spaceId: string, id: number, body: ProcessBody) {
  return unitOfWork(shoal, async (trx) => {
    const project = await requireProject(trx, spaceId, id);
    const steps = normalizeProcess(body, await knownIds(trx, spaceId));
    requireServerScriptRights(actor, runAsConfigured, runsScriptsOnServer(steps), `The deployment process of ${project.name}`);
    await trx.db.updateTable('projects').set({ process: serializeProcess(steps), updated_at: trx.dialect.now() }).where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'project.process.update', target: formatId('project', id), details: { steps }, clientIp: actor.clientIp });
    return { ownerId: formatId('project', id), steps };
  });
}

export const processOf = (row: ProjectRow) => ({ ownerId: formatId('project', row.id), steps: parseProcess(row.process) });

export const variablesOf = (row: ProjectRow) => ({ ownerId: formatId('project', row.id), variables: parseVariables(row.variables).map(toVariable) });

export async function saveVariables({ shoal, masterKey, runAsConfigured }: ProjectDeps, actor: Actor, spaceId: string, id: number, body: VariablesBody) {
  return unitOfWork(shoal, async (trx) => {
    const project = await requireProject(trx, spaceId, id);
    requireServerScriptRights(actor, runAsConfigured, await projectRunsServerScripts(trx, id), `The project ${project.name}`);
    const stored = storeVariables(body.variables, parseVariables(project.variables), masterKey, (await knownIds(trx, spaceId)).environments);
    await trx.db.updateTable('projects').set({ variables: JSON.stringify(stored), updated_at: trx.dialect.now() }).where('id', '=', id).execute();
    // The audit log records what changed, never a sensitive value.
    await recordEvent(trx, { username: actor.username, action: 'project.variables.update', target: formatId('project', id), details: { variables: stored.map(toVariable) }, clientIp: actor.clientIp });
    return { ownerId: formatId('project', id), variables: stored.map(toVariable) };
  });
}
