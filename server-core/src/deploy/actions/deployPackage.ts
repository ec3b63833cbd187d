import fs from 'node:fs';
import path from 'node:path';
import { extractPackage } from '../packages/extractPackage.js';
import { defaultInstallPath } from '../packages/installPath.js';
import { findPackageScript, type PackageScriptName } from '../packages/packageScripts.js';
import { substituteInFiles } from '../packages/substituteFiles.js';
import { chosenPackage } from './chosenPackage.js';
import type { StepContext } from '../stepContext.js';

async function runPackageScript(s: StepContext, installPath: string, name: PackageScriptName): Promise<void> {
  const found = findPackageScript(installPath, name);
  if (!found) return;
  const script = s.substitute(fs.readFileSync(path.join(installPath, found.file), 'utf8'));
  await s.runScript(script, found.syntax, { cwd: installPath, env: { SHOAL_INSTALL_PATH: installPath }, label: found.file });
}

/** Gives a run-as account the folder it deploys into (never following symlinks). */
function chownTree(folder: string, uid: number, gid: number): void {
  fs.lchownSync(folder, uid, gid);
  for (const e of fs.readdirSync(folder, { withFileTypes: true })) {
    const p = path.join(folder, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else fs.lchownSync(p, uid, gid);
  }
}

/**
 * DeployPackage: the version the release chose, from the built-in repository, extracted
 * safely into the install folder; PreDeploy, variable substitution in the listed files,
 * Deploy, PostDeploy. The install folder is `SHOAL_INSTALL_PATH` for the scripts and
 * `Shoal.Action[<step>].Output.Package.InstallationDirectoryPath` for later steps.
 */
export async function deployPackage(s: StepContext): Promise<void> {
  const { row, file } = await chosenPackage(s.task.shoal, s.task.storage.packages, s.plan, s.step);
  const asked = String(s.step.properties.installPath ?? '').trim();
  const installPath = asked ? path.resolve(s.substitute(asked)) : defaultInstallPath(s.deps.applicationsDir, s.plan.environment.name, row.package_id, row.version);
  s.log.info(`Extracting ${row.package_id} ${row.version} (sha256 ${row.sha256}) to ${installPath}`);
  const files = await extractPackage(file, row.file_extension, installPath);
  s.log.info(`Extracted ${files} file(s).`);
  if (s.task.runAs) chownTree(installPath, s.task.runAs.uid, s.task.runAs.gid);
  s.setOutput('Package.InstallationDirectoryPath', installPath);
  await runPackageScript(s, installPath, 'PreDeploy');
  substituteInFiles(installPath, (s.step.properties.substituteInFiles as string[] | undefined) ?? [], s.substitute, (l) => s.log.info(l));
  await runPackageScript(s, installPath, 'Deploy');
  await runPackageScript(s, installPath, 'PostDeploy');
}
