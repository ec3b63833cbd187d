import type { ScriptSyntax } from '../../executor/runScript.js';
import type { StepContext } from '../stepContext.js';

/** RunScript: the step's script, with its `#{…}` references substituted. */
export async function runScriptStep(s: StepContext): Promise<void> {
  await s.runScript(s.substitute(String(s.step.properties.script)), s.step.properties.syntax as ScriptSyntax);
}
