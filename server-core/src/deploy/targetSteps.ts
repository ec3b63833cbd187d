import { insertActivity, setActivityState } from '../activities/activityRecords.js';
import { targetsFor, unavailableReason } from '../agents/targetRows.js';
import type { PackageWorkPayload } from '../agents/packageDownload.js';
import { enqueueAgentWork } from '../agents/work/enqueue.js';
import { followTargetWork } from '../agents/listening/deliver.js';
import type { Step } from '../contract/projects.js';
import type { TaskContext } from '../executor/taskKind.js';
import type { PackageRow } from '../packages/records.js';
import { formatId } from '../resources/ids.js';
import { decryptValue } from '../secrets/masterKey.js';
import type { Masker } from '../variables/masker.js';
import { substitute } from '../variables/substitute.js';
import { chosenPackage } from './actions/chosenPackage.js';
import { ActivityLog } from './activityLog.js';
import { outputVariableName, type OutputVariable } from './outputVariables.js';
import type { ProcessRunPlan } from './plan.js';

export interface TargetStepInput {
  task: TaskContext;
  taskNumber: number;
  plan: ProcessRunPlan;
  step: Step;
  stepActivityId: number;
  masker: Masker;
  /** Seals the script sent to each agent (it holds substituted sensitive values). */
  masterKey: Buffer;
  /** The step's variables for one target (its id and roles scope the values), names lower-cased. */
  variablesFor(target: { id: string; roles: string[]; name: string }): Map<string, string>;
  /** An output variable a script on `targetName` set. */
  setOutput(targetName: string, v: OutputVariable): void;
}

/** The output variables in a finished work's result (sealed by the node that took it). */
function outputsOf(result: unknown, masterKey: Buffer): OutputVariable[] {
  const sealed = (result as { outputVariables?: unknown } | null)?.outputVariables;
  return typeof sealed === 'string' ? (JSON.parse(decryptValue(masterKey, sealed)) as OutputVariable[]) : [];
}

/** Runs the jobs with at most `limit` at once; the results in the jobs' order. */
async function inBatchesOf<T>(limit: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** What a target's agent needs to deploy the package: its hash, how to install it, the step's variables for that target; and where the node finds the file. */
function packageWork(plan: ProcessRunPlan, step: Step, row: PackageRow, variables: Map<string, string>, env: Record<string, string>): PackageWorkPayload {
  const asked = String(step.properties.installPath ?? '').trim();
  return {
    spaceId: plan.spaceId,
    fileName: row.file_name,
    package: {
      sha256: row.sha256,
      sizeBytes: Number(row.size_bytes),
      packageId: row.package_id,
      version: row.version,
      extension: row.file_extension,
      environment: plan.environment.name,
      ...(asked ? { installPath: substitute(asked, (name) => variables.get(name.toLowerCase())) } : {}),
      substituteInFiles: (step.properties.substituteInFiles as string[] | undefined) ?? [],
      variables: Object.fromEntries(variables),
      env,
    },
  };
}

/**
 * Runs a step on every enabled target in the deployment's environment with one of the step's
 * roles, all at once (or `maxParallelTargets` at a time), each target its own branch of the log tree with the lines its agent
 * sends. A target that is unavailable fails with the reason; the step fails when any target
 * failed.
 */
export async function runStepOnTargets(s: TargetStepInput): Promise<void> {
  const { task, plan, step } = s;
  const roles = step.roles.join(' or ');
  const all = await targetsFor(task.shoal, plan.spaceId, plan.environment.key, step.roles);
  if (!all.length) throw new Error(`No deployment target in ${plan.environment.name} has the role ${roles}.`);
  const targets = all.filter((t) => !Number(t.is_disabled));
  if (!targets.length) throw new Error(`Every deployment target in ${plan.environment.name} with the role ${roles} is disabled.`);
  if (step.action === 'ManualIntervention') throw new Error('A manual intervention step runs on the server, not on targets.');
  // The package is found once for every target: a missing one fails the step before any work is queued.
  const pkg = step.action === 'DeployPackage' ? await chosenPackage(task.shoal, task.storage.packages, plan, step) : undefined;
  const failures = await inBatchesOf(
    step.maxParallelTargets ?? targets.length,
    targets.map((t, position) => async (): Promise<string | null> => {
      const branch = await insertActivity(task.shoal, { taskId: s.taskNumber, parentId: s.stepActivityId, position, kind: 'Target', name: t.name, state: 'Pending' });
      const log = new ActivityLog(task.log, s.masker, branch);
      const finish = async (state: 'Success' | 'Failed' | 'Canceled', why?: string) => {
        if (why) log.error(why);
        await setActivityState(task.shoal, branch, state);
        return state === 'Success' ? null : `${t.name}: ${why ?? state}`;
      };
      const unavailable = unavailableReason(t);
      if (unavailable) return finish('Failed', unavailable);
      await setActivityState(task.shoal, branch, 'Running');
      const targetId = formatId('target', t.id);
      const variables = s.variablesFor({ id: targetId, roles: JSON.parse(t.roles) as string[], name: t.name });
      const lookup = (name: string) => variables.get(name.toLowerCase());
      const env: Record<string, string> = {
        SHOAL_TASK_ID: task.taskId,
        SHOAL_PROJECT_NAME: plan.system['Shoal.Project.Name'] ?? '',
        SHOAL_ENVIRONMENT_NAME: plan.environment.name,
        SHOAL_STEP_NAME: step.name,
        SHOAL_TARGET_NAME: t.name,
        SHOAL_TARGET_ID: targetId,
        ...(plan.system['Shoal.Release.Number'] ? { SHOAL_RELEASE_NUMBER: plan.system['Shoal.Release.Number'] } : {}),
        ...(plan.system['Shoal.Deployment.Id'] ? { SHOAL_DEPLOYMENT_ID: plan.system['Shoal.Deployment.Id'] } : {}),
      };
      let work: { kind: 'Script' | 'DeployPackage'; payload: unknown };
      if (pkg) {
        log.info(`Deploying ${pkg.row.package_id} ${pkg.row.version} (sha256 ${pkg.row.sha256}, ${pkg.row.size_bytes} bytes) on ${t.name}`);
        work = { kind: 'DeployPackage', payload: packageWork(plan, step, pkg.row, variables, env) };
      } else {
        const syntax = String(step.properties.syntax ?? 'bash');
        log.info(`Running the script (${syntax}) on ${t.name}`);
        work = { kind: 'Script', payload: { body: substitute(String(step.properties.script ?? ''), lookup), syntax, env } };
      }
      const workId = await enqueueAgentWork(task.shoal, s.masterKey, { targetId: Number(t.id), taskId: s.taskNumber, activityId: branch, ...work });
      const r = await followTargetWork(task.shoal, { masterKey: s.masterKey, nodeName: task.nodeName, target: t, logger: task.logger, packagesRoot: task.storage.packages }, {
        workId,
        targetName: t.name,
        signal: task.signal,
        onLines: (lines) => {
          for (const l of lines) (l.stream === 'out' ? log.info(l.text) : log.error(l.text));
        },
      });
      // Kept whatever the outcome, as on the built-in worker: a failing script may have set some first.
      for (const v of outputsOf(r.result, s.masterKey)) {
        s.setOutput(t.name, v);
        log.info(`Output variable ${outputVariableName(step.name, v.name, t.name)}${v.sensitive ? ' (sensitive)' : ''} is set.`);
      }
      return finish(r.state, r.state === 'Success' ? undefined : (r.error ?? r.state));
    }),
  );
  const failed = failures.filter((f): f is string => f !== null);
  if (failed.length) throw new Error(`failed on ${failed.length} of ${targets.length} targets: ${failed.join('; ')}`);
}
