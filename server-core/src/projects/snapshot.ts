import { badRequest } from '../api/errors.js';
import type { Step } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listVersions, findPackage } from '../packages/records.js';
import { parseVersion, versionKey } from '../packages/version.js';
import type { ProjectRow } from './projectRows.js';
import { librarySetIdsOf } from './projectRows.js';
import { formatId } from '../resources/ids.js';
import { parseVariables, type StoredVariable } from '../variables/storedVariables.js';

export interface SnapshotPackage {
  stepName: string;
  packageId: string;
  version: string;
}

/**
 * What a release (or a runbook snapshot) deploys, frozen: the process, the project's and its
 * library sets' variables (sensitive values still sealed), and a package version per step.
 */
export interface Snapshot {
  projectName: string;
  process: Step[];
  variables: StoredVariable[];
  librarySets: { id: string; name: string; variables: StoredVariable[] }[];
  packages: SnapshotPackage[];
}

/** The version chosen for each DeployPackage step: the one asked for, else the latest in the repository. */
async function choosePackages(shoal: ShoalDb, spaceId: string, steps: Step[], chosen: Record<string, string>, field: string): Promise<SnapshotPackage[]> {
  const packageSteps = steps.filter((s) => s.action === 'DeployPackage');
  const stray = Object.keys(chosen).find((name) => !packageSteps.some((s) => s.name.toLowerCase() === name.toLowerCase()));
  if (stray !== undefined) throw badRequest(`${field}.${stray}: the process has no package step named ${stray}`);
  const out: SnapshotPackage[] = [];
  for (const s of packageSteps) {
    const packageId = String(s.properties.packageId);
    const asked = Object.entries(chosen).find(([name]) => name.toLowerCase() === s.name.toLowerCase())?.[1];
    if (asked !== undefined) {
      const v = parseVersion(asked);
      const row = v && (await findPackage(shoal, spaceId, packageId.toLowerCase(), versionKey(v)));
      if (!row) throw badRequest(`${field}.${s.name}: there is no version ${asked} of ${packageId} in the built-in repository`);
      out.push({ stepName: s.name, packageId: row.package_id, version: row.version });
      continue;
    }
    const latest = (await listVersions(shoal, spaceId, packageId.toLowerCase()))[0];
    if (!latest) throw badRequest(`${field}: the step ${s.name} deploys ${packageId}, and the built-in repository has no version of it; push one first`);
    out.push({ stepName: s.name, packageId: latest.package_id, version: latest.version });
  }
  return out;
}

export async function takeSnapshot(shoal: ShoalDb, project: ProjectRow, steps: Step[], chosen: Record<string, string>, field = 'packages'): Promise<Snapshot> {
  const setIds = librarySetIdsOf(project);
  const sets = setIds.length ? await shoal.db.selectFrom('library_variable_sets').selectAll().where('id', 'in', setIds).execute() : [];
  return {
    projectName: project.name,
    process: steps,
    variables: parseVariables(project.variables),
    librarySets: setIds
      .map((id) => sets.find((s) => Number(s.id) === id))
      .filter((s) => s !== undefined)
      .map((s) => ({ id: formatId('libraryVariableSet', s.id), name: s.name, variables: parseVariables(s.variables) })),
    packages: await choosePackages(shoal, project.space_id, steps, chosen, field),
  };
}

export const parseSnapshot = (json: string): Snapshot => JSON.parse(json) as Snapshot;
