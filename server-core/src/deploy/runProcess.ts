import { insertActivity, setActivityState, type ActivityState } from '../activities/activityRecords.js';
import type { Step } from '../contract/projects.js';
import type { TaskContext } from '../executor/taskKind.js';
import { parseTaskId } from '../queue/taskRecord.js';
import { Masker } from '../variables/masker.js';
import { resolveVariables, type ResolvedValue } from '../variables/resolve.js';
import { runStepOnTargets } from './targetSteps.js';
import { deployPackage } from './actions/deployPackage.js';
import { manualIntervention } from './actions/manualIntervention.js';
import { runScriptStep } from './actions/runScriptStep.js';
import { ActivityLog } from './activityLog.js';
import { outputVariableName } from './outputVariables.js';
import type { ProcessRunPlan } from './plan.js';
import { stepContext, type EngineDeps, type StepContext } from './stepContext.js';
import { snapshotCandidates } from './stepVariables.js';

const ACTIONS: Record<Step['action'], (s: StepContext) => Promise<void>> = {
  RunScript: runScriptStep,
  DeployPackage: deployPackage,
  ManualIntervention: manualIntervention,
};

/** Why a step does not run here and now, or null when it runs. */
function skipReason(step: Step, plan: ProcessRunPlan, failed: boolean): string | null {
  if (step.environmentIds.length && !step.environmentIds.includes(plan.environment.id)) return `Skipped: this step runs only in other environments than ${plan.environment.name}.`;
  if (step.condition === 'success' && failed) return 'Skipped: an earlier step failed.';
  if (step.condition === 'failure' && !failed) return 'Skipped: this step runs only when an earlier step failed.';
  return null;
}

/**
 * Runs a snapshot's process, step by step, on this node's built-in worker. Every step is an
 * activity of the task's log tree (made Pending up front, so the whole plan shows), with the
 * server or each target it runs on as its branch; lines are masked and tagged. Steps after a failure run only when
 * their condition is `failure` or `always`. Throws when a step failed or the task was canceled.
 */
export async function runProcess(task: TaskContext, plan: ProcessRunPlan, deps: EngineDeps): Promise<void> {
  const taskNumber = parseTaskId(task.taskId)!;
  const candidates = snapshotCandidates(plan.snapshot, deps.masterKey);
  const masker = new Masker(candidates.filter((c) => c.sensitive).map((c) => c.value));
  const outputs = new Map<string, ResolvedValue>();
  /** Per target (name lower-cased): the unscoped output names it set (lower-cased) and their values. */
  const targetOutputs = new Map<string, Map<string, string>>();
  /** An output variable for the steps after this one (masked from now on when sensitive); returns its name. */
  const keepOutput = (name: string, value: string, sensitive: boolean): string => {
    if (sensitive) masker.add(value);
    outputs.set(name.toLowerCase(), { name, value, sensitive });
    return name;
  };
  const steps = plan.snapshot.process;
  const stepIds: number[] = [];
  for (const [position, step] of steps.entries()) {
    stepIds.push(await insertActivity(task.shoal, { taskId: taskNumber, parentId: null, position, kind: 'Step', name: step.name, state: 'Pending' }));
  }
  let failure: string | undefined;
  for (const [index, step] of steps.entries()) {
    const stepLog = new ActivityLog(task.log, masker, stepIds[index]!);
    const end = (state: ActivityState) => setActivityState(task.shoal, stepIds[index]!, state);
    if (task.signal.aborted) {
      await end('Canceled');
      continue;
    }
    const skip = skipReason(step, plan, failure !== undefined);
    if (skip) {
      stepLog.info(skip);
      await end('Skipped');
      continue;
    }
    await end('Running');
    let branch: number | undefined;
    try {
      /** `#{…}` values for this step where it runs: its roles (a target's), the target, then system and output variables; names lower-cased. */
      const valuesIn = (scope: { roles: string[]; targetId?: string }, more: Record<string, string>) => {
        const resolved = resolveVariables(candidates, { environmentId: plan.environment.id, stepName: step.name, ...scope });
        const values = new Map<string, string>();
        for (const [key, v] of resolved) values.set(key, v.value);
        for (const [key, v] of outputs) values.set(key, v.value);
        for (const [k, v] of Object.entries({ ...plan.system, 'Shoal.Step.Name': step.name, 'Shoal.Node.Name': task.nodeName, ...more })) values.set(k.toLowerCase(), v);
        return values;
      };
      if (step.runOn === 'targets') {
        await runStepOnTargets({
          task,
          taskNumber,
          plan,
          step,
          stepActivityId: stepIds[index]!,
          masker,
          masterKey: deps.masterKey,
          variablesFor: (t) => {
            const values = valuesIn({ roles: t.roles, targetId: t.id }, { 'Shoal.Target.Name': t.name, 'Shoal.Target.Id': t.id });
            // On a target, Shoal.Action[S].Output.X is the value that target set, when it set one.
            for (const [key, value] of targetOutputs.get(t.name.toLowerCase()) ?? []) values.set(key, value);
            return values;
          },
          setOutput: (targetName, v) => {
            keepOutput(outputVariableName(step.name, v.name, targetName), v.value, v.sensitive);
            // Elsewhere (the server, another target) the unscoped name has the last value reported.
            const unscoped = keepOutput(outputVariableName(step.name, v.name), v.value, v.sensitive);
            const own = targetOutputs.get(targetName.toLowerCase()) ?? new Map<string, string>();
            own.set(unscoped.toLowerCase(), v.value);
            targetOutputs.set(targetName.toLowerCase(), own);
          },
        });
        await end('Success');
        continue;
      }
      branch = await insertActivity(task.shoal, { taskId: taskNumber, parentId: stepIds[index]!, position: 0, kind: 'Server', name: `Shoal server (${task.nodeName})`, state: 'Pending' });
      await setActivityState(task.shoal, branch, 'Running');
      const values = valuesIn({ roles: step.roles }, {});
      const lookup = (name: string) => values.get(name.toLowerCase());
      const setOutput = (name: string, value: string, sensitive: boolean) => void keepOutput(outputVariableName(step.name, name), value, sensitive);
      const log = new ActivityLog(task.log, masker, branch);
      await ACTIONS[step.action](stepContext({ task, plan, deps, step, index, log, activityId: branch, masker }, lookup, setOutput));
      await setActivityState(task.shoal, branch, 'Success');
      await end('Success');
    } catch (err) {
      const canceled = task.signal.aborted;
      const message = masker.mask((err as Error).message ?? String(err));
      if (!canceled) stepLog.error(message);
      if (branch !== undefined) await setActivityState(task.shoal, branch, canceled ? 'Canceled' : 'Failed');
      await end(canceled ? 'Canceled' : 'Failed');
      failure ??= `${step.name}: ${message}`;
    }
  }
  if (task.signal.aborted) throw task.signal.reason ?? new Error('canceled');
  if (failure) throw new Error(`The ${plan.what} failed at step ${failure}`);
}
