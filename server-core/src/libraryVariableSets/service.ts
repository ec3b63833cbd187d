import type { Selectable } from 'kysely';
import { conflict } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import type { LibraryVariableSet, LibraryVariableSetBody } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { LibraryVariableSetsTable } from '../db/schema.js';
import { insertReturning } from '../db/insertReturning.js';
import { knownIds } from '../projects/knownIds.js';
import { projectRunsServerScripts, requireServerScriptRights } from '../projects/serverScripts.js';
import type { ProjectDeps } from '../projects/service.js';
import type { Actor } from '../resources/actor.js';
import { formatId, missing } from '../resources/ids.js';
import { unitOfWork } from '../resources/shoalTrx.js';
import { namedColumns, saveNamed } from '../resources/namedRows.js';
import { parseVariables, storeVariables, toVariable } from '../variables/storedVariables.js';

type SetRow = Selectable<LibraryVariableSetsTable>;

export const toLibraryVariableSet = (r: SetRow): LibraryVariableSet => ({
  id: formatId('libraryVariableSet', r.id),
  spaceId: r.space_id,
  name: r.name,
  description: r.description,
  variables: parseVariables(r.variables).map(toVariable),
});

export async function listLibraryVariableSets({ db }: ShoalDb, spaceId: string): Promise<SetRow[]> {
  return db.selectFrom('library_variable_sets').selectAll().where('space_id', '=', spaceId).orderBy('name_key').execute();
}

export async function requireLibraryVariableSet({ db }: ShoalDb, spaceId: string, id: number): Promise<SetRow> {
  const row = await db.selectFrom('library_variable_sets').selectAll().where('space_id', '=', spaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw missing('libraryVariableSet', id, spaceId);
  return row;
}

/** Projects that use the set (their ids hold it in a JSON list). */
async function projectsUsing({ db }: ShoalDb, spaceId: string, id: number) {
  const rows = await db.selectFrom('projects').select(['id', 'name', 'library_variable_set_ids']).where('space_id', '=', spaceId).execute();
  return rows.filter((p) => (JSON.parse(p.library_variable_set_ids) as number[]).includes(id));
}

const takenMessage = (name: string) => `A library variable set named ${name} already exists in this space.`;

async function save(deps: ProjectDeps, actor: Actor, spaceId: string, id: number | undefined, body: LibraryVariableSetBody) {
  const { shoal, masterKey, runAsConfigured } = deps;
  return saveNamed(shoal, 'library_variable_sets', { space: spaceId }, body.name, id, takenMessage(body.name), async (trx) => {
      const before = id === undefined ? undefined : await requireLibraryVariableSet(trx, spaceId, id);
      if (id !== undefined) {
        for (const p of await projectsUsing(trx, spaceId, id)) {
          requireServerScriptRights(actor, runAsConfigured, await projectRunsServerScripts(trx, Number(p.id)), `The library variable set ${before!.name} (used by ${p.name})`);
        }
      }
      const variables = JSON.stringify(
        body.variables === undefined && before ? parseVariables(before.variables) : storeVariables(body.variables ?? [], before ? parseVariables(before.variables) : [], masterKey, (await knownIds(trx, spaceId)).environments),
      );
      const now = trx.dialect.now();
      const values = { ...namedColumns(body.name, body.description, before?.description), variables, updated_at: now };
      let row: SetRow;
      if (id === undefined) row = await insertReturning(trx, 'library_variable_sets', { ...values, space_id: spaceId, created_at: now });
      else {
        await trx.db.updateTable('library_variable_sets').set(values).where('id', '=', id).execute();
        row = await requireLibraryVariableSet(trx, spaceId, id);
      }
      const resource = toLibraryVariableSet(row);
      await recordEvent(trx, { username: actor.username, action: id === undefined ? 'libraryVariableSet.create' : 'libraryVariableSet.update', target: resource.id, details: resource, clientIp: actor.clientIp });
      return resource;
  });
}

export const createLibraryVariableSet = (deps: ProjectDeps, actor: Actor, spaceId: string, body: LibraryVariableSetBody) => save(deps, actor, spaceId, undefined, body);
export const updateLibraryVariableSet = (deps: ProjectDeps, actor: Actor, spaceId: string, id: number, body: LibraryVariableSetBody) => save(deps, actor, spaceId, id, body);

export async function deleteLibraryVariableSet({ shoal }: ProjectDeps, actor: Actor, spaceId: string, id: number): Promise<void> {
  await unitOfWork(shoal, async (trx) => {
    const row = await requireLibraryVariableSet(trx, spaceId, id);
    const users = await projectsUsing(trx, spaceId, id);
    if (users.length) throw conflict(`The project ${users[0]!.name} uses ${row.name}; take it out of the project first.`);
    await trx.db.deleteFrom('library_variable_sets').where('id', '=', id).execute();
    await recordEvent(trx, { username: actor.username, action: 'libraryVariableSet.delete', target: formatId('libraryVariableSet', id), details: { name: row.name }, clientIp: actor.clientIp });
  });
}
