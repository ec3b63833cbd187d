import fs from 'node:fs';
import path from 'node:path';
import type { ScriptSyntax } from '../../contract/tasks.js';

/** The package's own scripts, run in this order around variable substitution, when present. */
export const PACKAGE_SCRIPTS = ['PreDeploy', 'Deploy', 'PostDeploy'] as const;
export type PackageScriptName = (typeof PACKAGE_SCRIPTS)[number];

/** `<name>.sh` (bash) or `<name>.ps1` (PowerShell) at the top of the install folder, the platform's own kind first; undefined when the package has neither. */
export function findPackageScript(installPath: string, name: PackageScriptName): { file: string; syntax: ScriptSyntax } | undefined {
  const candidates: [string, ScriptSyntax][] = process.platform === 'win32' ? [[`${name}.ps1`, 'powershell'], [`${name}.sh`, 'bash']] : [[`${name}.sh`, 'bash'], [`${name}.ps1`, 'powershell']];
  const found = candidates.find(([file]) => fs.existsSync(path.join(installPath, file)));
  return found && { file: found[0], syntax: found[1] };
}
