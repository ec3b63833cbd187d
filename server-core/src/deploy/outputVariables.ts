import fs from 'node:fs';
import path from 'node:path';

// Pure (Node's fs only): the agent imports it too (@shoal/server-core/output-variables), so a
// script on a target sets output variables exactly as one on the built-in worker does.

/** The helper scripts call to set an output variable for later steps. */
export const SET_VARIABLE_COMMAND = 'shoal-set-variable';

const HELPER = `#!/bin/sh
# shoal-set-variable NAME VALUE [--sensitive]: an output variable for the steps after this one,
# as #{Shoal.Action[<this step>].Output.NAME}. --sensitive masks it in the log from then on.
if [ "$#" -lt 2 ]; then echo "usage: shoal-set-variable NAME VALUE [--sensitive]" >&2; exit 2; fi
s=0
[ "$3" = "--sensitive" ] && s=1
printf '%s\\000%s\\000%s\\000' "$1" "$2" "$s" >> "$SHOAL_OUTPUT_VARIABLES_FILE"
`;

/** Writes the helper into `<workDir>/bin` (readable and runnable by a run-as account); returns that folder. */
export function installHelpers(workDir: string): string {
  const bin = path.join(workDir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const file = path.join(bin, SET_VARIABLE_COMMAND);
  if (!fs.existsSync(file)) fs.writeFileSync(file, HELPER);
  fs.chmodSync(bin, 0o755);
  fs.chmodSync(file, 0o755);
  return bin;
}

export interface OutputVariable {
  name: string;
  value: string;
  sensitive: boolean;
}

/** What a script set with the helper: NUL-separated name, value, sensitive flag. */
export function readOutputVariables(file: string): OutputVariable[] {
  if (!fs.existsSync(file)) return [];
  const parts = fs.readFileSync(file, 'utf8').split('\0');
  const out: OutputVariable[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) out.push({ name: parts[i]!, value: parts[i + 1]!, sensitive: parts[i + 2] === '1' });
  return out;
}

/** `Shoal.Action[<step>].Output.<name>`, or `…Output[<target>].<name>` for the value one target of a step set. */
export const outputVariableName = (stepName: string, name: string, targetName?: string): string => `Shoal.Action[${stepName}].Output${targetName === undefined ? '' : `[${targetName}]`}.${name}`;
