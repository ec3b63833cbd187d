import fs from 'node:fs';
import path from 'node:path';
import { AGENT_PATHS, AGENT_WORK_HEADERS, type AgentPackageWork } from '@shoal/server-core/contract';
import { defaultInstallPath, extractPackage, findPackageScript, substitute, substituteInFiles, type PackageScriptName } from '@shoal/server-core/packages';
import type { CommsGetter } from '../comms.js';
import type { PackageCache } from './cache.js';

export interface PackageDeployer {
  cache: PackageCache;
  /** Where packages go without an install path: `<applications>/<environment>/<package>/<version>`. */
  applicationsDir: string;
}

interface DeployHooks {
  client: CommsGetter;
  log(line: string): void;
  /** Runs a script of the package (its text substituted) in the install folder; resolves with its exit code. */
  runScript(s: { body: string; syntax: string; env: Record<string, string>; cwd: string }): Promise<number | null>;
  /** Aborted, with the reason as an Error, when the work ends early (canceled, lease lost, agent stopping). */
  signal: AbortSignal;
}

/**
 * A DeployPackage step on this target, as the built-in worker runs it: the package by its
 * hash from the cache or the cluster (the download authorised by this work's id and token),
 * extracted safely into the install folder; the package's PreDeploy script, `#{…}`
 * substitution in the listed files with the step's variables for this target, Deploy, PostDeploy.
 * Resolves with the install folder.
 */
export async function deployPackageHere(p: AgentPackageWork, work: { id: string; token: string }, o: PackageDeployer & DeployHooks): Promise<string> {
  const check = () => o.signal.throwIfAborted();
  const sub = (text: string) => substitute(text, (name) => p.variables[name.toLowerCase()]);
  const headers = { [AGENT_WORK_HEADERS.id]: work.id, [AGENT_WORK_HEADERS.token]: work.token };
  check();
  const { file } = await o.cache.fetch(p, (offset, signal) => o.client.get(AGENT_PATHS.package(p.sha256), offset > 0 ? { ...headers, range: `bytes=${offset}-` } : headers, signal), o.log, o.signal);
  check();
  const installPath = p.installPath ? path.resolve(p.installPath) : defaultInstallPath(o.applicationsDir, p.environment, p.packageId, p.version);
  const packageScript = async (name: PackageScriptName) => {
    const found = findPackageScript(installPath, name);
    if (!found) return;
    check();
    o.log(`Running ${found.file} (${found.syntax})`);
    const code = await o.runScript({ body: sub(fs.readFileSync(path.join(installPath, found.file), 'utf8')), syntax: found.syntax, env: { ...p.env, SHOAL_INSTALL_PATH: installPath }, cwd: installPath });
    if (code !== 0) throw new Error(`${found.file} ${code === null ? 'was ended by a signal' : `exited with code ${code}`}.`);
  };
  o.log(`Extracting ${p.packageId} ${p.version} to ${installPath}`);
  const files = await extractPackage(file, p.extension, installPath);
  o.log(`Extracted ${files} file(s).`);
  await packageScript('PreDeploy');
  check();
  substituteInFiles(installPath, p.substituteInFiles, sub, o.log);
  await packageScript('Deploy');
  await packageScript('PostDeploy');
  o.log(`Installed in ${installPath}`);
  return installPath;
}
