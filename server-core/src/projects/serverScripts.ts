import { forbidden } from '../api/errors.js';
import type { Step } from '../contract/projects.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { Actor } from '../resources/actor.js';
import { parseProcess, runsScriptsOnServer } from './process.js';

/**
 * A step on the server's built-in worker runs with the node's own rights unless scripts run
 * as a separate unprivileged account (`builtInWorkerRunAs`). Then whatever decides what such
 * a script does — the process, and the variables substituted into it — is an administrator's
 * to change.
 */
export function requireServerScriptRights(actor: Actor, runAsConfigured: boolean, scriptsOnServer: boolean, what: string): void {
  if (runAsConfigured || !scriptsOnServer || actor.permissions.isAdmin) return;
  throw forbidden(
    `${what} runs scripts on the Shoal server with the server's own rights (builtInWorkerRunAs is not set), so changing it needs administrator rights.`,
  );
}

/** Whether a project's deployment process or any of its runbooks runs scripts on the server. */
export async function projectRunsServerScripts({ db }: ShoalDb, projectId: number, process?: Step[]): Promise<boolean> {
  if (process && runsScriptsOnServer(process)) return true;
  if (!process) {
    const row = await db.selectFrom('projects').select('process').where('id', '=', projectId).executeTakeFirst();
    if (row && runsScriptsOnServer(parseProcess(row.process))) return true;
  }
  const runbooks = await db.selectFrom('runbooks').select('process').where('project_id', '=', projectId).execute();
  return runbooks.some((r) => runsScriptsOnServer(parseProcess(r.process)));
}
