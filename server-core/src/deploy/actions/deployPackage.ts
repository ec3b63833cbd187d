import fs from 'node:fs';
import path from 'node:path';
import type { ScriptSyntax } from '../../executor/runScript.js';
import { spaceFolder } from '../../packages/packageFiles.js';
import { findPackage } from '../../packages/records.js';
import { parseVersion, versionKey } from '../../packages/version.js';
import { walkFiles } from '../../storage/walkFiles.js';
import { extractPackage } from '../packages/extractPackage.js';
import { globToRegExp } from '../packages/globs.js';
import type { StepContext } from '../stepContext.js';

/** The package's own scripts, run in this order around variable substitution, when present. */
const PACKAGE_SCRIPTS = ['PreDeploy', 'Deploy', 'PostDeploy'] as const;

const folderName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** `<applications>/<environment>/<package>/<version>`, with `_2`, `_3`… when an earlier deployment left that folder. */
function defaultInstallPath(root: string, environment: string, packageId: string, version: string): string {
  const base = path.join(root, folderName(environment), folderName(packageId), folderName(version));
  let candidate = base;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
}

async function runPackageScript(s: StepContext, installPath: string, name: (typeof PACKAGE_SCRIPTS)[number]): Promise<void> {
  const candidates: [string, ScriptSyntax][] = process.platform === 'win32' ? [[`${name}.ps1`, 'powershell'], [`${name}.sh`, 'bash']] : [[`${name}.sh`, 'bash'], [`${name}.ps1`, 'powershell']];
  const found = candidates.find(([file]) => fs.existsSync(path.join(installPath, file)));
  if (!found) return;
  const script = s.substitute(fs.readFileSync(path.join(installPath, found[0]), 'utf8'));
  await s.runScript(script, found[1], { cwd: installPath, env: { SHOAL_INSTALL_PATH: installPath }, label: found[0] });
}

/** `#{…}` substitution in the files matching the step's globs. */
function substituteInFiles(s: StepContext, installPath: string, globs: string[]): void {
  if (!globs.length) return;
  const files = walkFiles(installPath);
  for (const glob of globs) {
    const re = globToRegExp(glob);
    const matched = files.filter((f) => re.test(f.relative));
    if (!matched.length) s.log.info(`Substituting variables: no file matches ${glob}.`);
    for (const f of matched) {
      const before = fs.readFileSync(f.full, 'utf8');
      const after = s.substitute(before);
      if (after !== before) fs.writeFileSync(f.full, after);
      s.log.info(`Substituted variables in ${f.relative}${after === before ? ' (nothing to replace)' : ''}.`);
    }
  }
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
  const chosen = s.plan.snapshot.packages.find((p) => p.stepName.toLowerCase() === s.step.name.toLowerCase());
  if (!chosen) throw new Error(`The snapshot holds no package version for the step ${s.step.name}.`);
  const v = parseVersion(chosen.version);
  const row = v && (await findPackage(s.task.shoal, s.plan.spaceId, chosen.packageId.toLowerCase(), versionKey(v)));
  if (!row) throw new Error(`${chosen.packageId} ${chosen.version} is no longer in the built-in repository.`);
  const file = path.join(spaceFolder(s.task.storage.packages, s.plan.spaceId), row.file_name);
  if (!fs.existsSync(file)) throw new Error(`The file of ${chosen.packageId} ${chosen.version} (${row.file_name}) is missing from the packages storage.`);
  const asked = String(s.step.properties.installPath ?? '').trim();
  const installPath = asked ? path.resolve(s.substitute(asked)) : defaultInstallPath(s.deps.applicationsDir, s.plan.environment.name, row.package_id, row.version);
  s.log.info(`Extracting ${row.package_id} ${row.version} (sha256 ${row.sha256}) to ${installPath}`);
  const files = await extractPackage(file, row.file_extension, installPath);
  s.log.info(`Extracted ${files} file(s).`);
  if (s.task.runAs) chownTree(installPath, s.task.runAs.uid, s.task.runAs.gid);
  s.setOutput('Package.InstallationDirectoryPath', installPath);
  await runPackageScript(s, installPath, 'PreDeploy');
  substituteInFiles(s, installPath, (s.step.properties.substituteInFiles as string[] | undefined) ?? []);
  await runPackageScript(s, installPath, 'Deploy');
  await runPackageScript(s, installPath, 'PostDeploy');
}
