import fs from 'node:fs';
import path from 'node:path';
import type { Step } from '../../contract/projects.js';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { spaceFolder } from '../../packages/packageFiles.js';
import { findPackage, type PackageRow } from '../../packages/records.js';
import { parseVersion, versionKey } from '../../packages/version.js';
import type { ProcessRunPlan } from '../plan.js';

/** The package version the release chose for a DeployPackage step: its record and its file on the packages path. */
export async function chosenPackage(shoal: ShoalDb, packagesRoot: string, plan: ProcessRunPlan, step: Step): Promise<{ row: PackageRow; file: string }> {
  const chosen = plan.snapshot.packages.find((p) => p.stepName.toLowerCase() === step.name.toLowerCase());
  if (!chosen) throw new Error(`The snapshot holds no package version for the step ${step.name}.`);
  const v = parseVersion(chosen.version);
  const row = v && (await findPackage(shoal, plan.spaceId, chosen.packageId.toLowerCase(), versionKey(v)));
  if (!row) throw new Error(`${chosen.packageId} ${chosen.version} is no longer in the built-in repository.`);
  const file = path.join(spaceFolder(packagesRoot, plan.spaceId), row.file_name);
  if (!fs.existsSync(file)) throw new Error(`The file of ${chosen.packageId} ${chosen.version} (${row.file_name}) is missing from the packages storage.`);
  return { row, file };
}
