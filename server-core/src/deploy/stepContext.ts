import path from 'node:path';
import type { Step } from '../contract/projects.js';
import type { TaskContext } from '../executor/taskKind.js';
import { runScript, type ScriptSyntax } from '../executor/runScript.js';
import type { Masker } from '../variables/masker.js';
import { substitute } from '../variables/substitute.js';
import type { ActivityLog } from './activityLog.js';
import { installHelpers, outputVariableName, readOutputVariables, SET_VARIABLE_COMMAND } from './outputVariables.js';
import type { ProcessRunPlan } from './plan.js';

/** What the engine gives every action of a deployment or runbook run. */
export interface EngineDeps {
  masterKey: Buffer;
  /** Where DeployPackage installs packages without an installPath: `<folder>/<environment>/<package>/<version>`. */
  applicationsDir: string;
}

/** One step as it runs on the server: its log, its variables, and a way to run scripts. */
export interface StepContext {
  task: TaskContext;
  plan: ProcessRunPlan;
  deps: EngineDeps;
  step: Step;
  index: number;
  /** The server branch of the step's log tree. */
  log: ActivityLog;
  activityId: number;
  masker: Masker;
  /** `#{Name}` with this step's variables. */
  substitute(text: string): string;
  /** Sets `Shoal.Action[<step>].Output.<name>` for later steps. */
  setOutput(name: string, value: string, sensitive?: boolean): void;
  /** Runs a script (its text already substituted) on the built-in worker; its lines go to this step's log. */
  runScript(script: string, syntax: ScriptSyntax, o?: { cwd?: string; env?: Record<string, string>; label?: string }): Promise<void>;
}

export function stepContext(
  base: Omit<StepContext, 'substitute' | 'setOutput' | 'runScript'>,
  lookup: (name: string) => string | undefined,
  setOutput: (name: string, value: string, sensitive: boolean) => void,
): StepContext {
  const { task, plan, step, index, log } = base;
  let scripts = 0;
  const env: Record<string, string> = {
    SHOAL_TASK_ID: task.taskId,
    SHOAL_SERVER_URL: task.serverUrl,
    SHOAL_PROJECT_NAME: plan.system['Shoal.Project.Name'] ?? '',
    SHOAL_ENVIRONMENT_NAME: plan.environment.name,
    SHOAL_STEP_NAME: step.name,
  };
  if (plan.system['Shoal.Release.Number']) env.SHOAL_RELEASE_NUMBER = plan.system['Shoal.Release.Number'];
  if (plan.system['Shoal.Deployment.Id']) env.SHOAL_DEPLOYMENT_ID = plan.system['Shoal.Deployment.Id'];
  return {
    ...base,
    substitute: (text) => substitute(text, lookup),
    setOutput: (name, value, sensitive = false) => setOutput(name, value, sensitive),
    async runScript(script, syntax, o = {}) {
      scripts++;
      const stem = `step-${index + 1}-${scripts}`;
      const outputFile = path.join(task.workDir, `${stem}.variables`);
      const bin = installHelpers(task.workDir);
      log.info(`Running ${o.label ?? 'the script'} (${syntax}) on the built-in worker of ${task.nodeName}${task.runAs ? ` as ${task.runAs.name}` : ''}`);
      try {
        await runScript({
          script,
          syntax,
          workDir: task.workDir,
          fileStem: stem,
          cwd: o.cwd,
          env: { ...env, ...o.env, SHOAL_OUTPUT_VARIABLES_FILE: outputFile },
          pathPrefix: bin,
          artifactsDir: task.artifactsDir,
          runAs: task.runAs,
          signal: task.signal,
          lease: task.lease,
          nodeName: task.nodeName,
          onOutput: (text, stream) => (stream === 'out' ? log.info(text) : log.error(text)),
          flow: task.log,
        });
      } finally {
        for (const v of readOutputVariables(outputFile)) {
          setOutput(v.name, v.value, v.sensitive);
          log.info(`${SET_VARIABLE_COMMAND}: ${outputVariableName(step.name, v.name)}${v.sensitive ? ' (sensitive)' : ''} is set.`);
        }
      }
    },
  };
}
