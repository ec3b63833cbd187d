import path from 'node:path';
import { AGENT_PATHS, AGENT_WORK_HEADERS, type AgentPackageWork } from '@shoal/server-core/contract';
import { defaultInstallPath, extractPackage, substitute, substituteInFiles } from '@shoal/server-core/packages';
import type { CommsClient } from '../comms.js';
import type { PackageCache } from './cache.js';

export interface PackageDeployer {
  cache: PackageCache;
  /** Where packages go without an install path: `<applications>/<environment>/<package>/<version>`. */
  applicationsDir: string;
}

/**
 * A DeployPackage step on this target: the package by its hash from the cache or the cluster
 * (the download authorised by this work's id and token), extracted safely into the install
 * folder, `#{…}` substituted in the listed files with the step's variables for this target.
 */
export async function deployPackageHere(p: AgentPackageWork, work: { id: string; token: string }, o: PackageDeployer & { client: CommsClient; log(line: string): void }): Promise<void> {
  const headers = { [AGENT_WORK_HEADERS.id]: work.id, [AGENT_WORK_HEADERS.token]: work.token };
  const { file } = await o.cache.fetch(p, (offset) => o.client.get(AGENT_PATHS.package(p.sha256), offset > 0 ? { ...headers, range: `bytes=${offset}-` } : headers), o.log);
  const installPath = p.installPath ? path.resolve(p.installPath) : defaultInstallPath(o.applicationsDir, p.environment, p.packageId, p.version);
  o.log(`Extracting ${p.packageId} ${p.version} to ${installPath}`);
  const files = await extractPackage(file, p.extension, installPath);
  o.log(`Extracted ${files} file(s).`);
  substituteInFiles(installPath, p.substituteInFiles, (text) => substitute(text, (name) => p.variables[name.toLowerCase()]), o.log);
  o.log(`Installed in ${installPath}`);
}
