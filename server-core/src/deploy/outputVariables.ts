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

/**
 * The helper on Windows, where no sh runs it: cmd.exe and PowerShell find
 * `shoal-set-variable.cmd` on PATH, which runs this with the node that runs Shoal. It writes
 * what the sh helper writes.
 */
const WINDOWS_HELPER = `// shoal-set-variable NAME VALUE [--sensitive] (see shoal-set-variable.cmd)
import fs from 'node:fs';
const [name, value, flag] = process.argv.slice(2);
if (value === undefined) {
  process.stderr.write('usage: shoal-set-variable NAME VALUE [--sensitive]\\n');
  process.exit(2);
}
fs.appendFileSync(process.env.SHOAL_OUTPUT_VARIABLES_FILE, [name, value, flag === '--sensitive' ? '1' : '0', ''].join('\\0'));
`;

/** A batch file's line running the Windows helper with `node` (a % in its path doubled: cmd.exe would expand it). */
const windowsShim = (node: string) => `@"${node.replaceAll('%', '%%')}" "%~dp0${SET_VARIABLE_COMMAND}.mjs" %*\r\n`;

/**
 * Writes the helper into `<workDir>/bin` (readable and runnable by a run-as account); returns
 * that folder. On Windows, a batch file and the script it runs with `node`.
 */
export function installHelpers(workDir: string, platform: NodeJS.Platform = process.platform, node = process.execPath): string {
  const bin = path.join(workDir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const files: [string, string][] =
    platform === 'win32'
      ? [
          [`${SET_VARIABLE_COMMAND}.mjs`, WINDOWS_HELPER],
          [`${SET_VARIABLE_COMMAND}.cmd`, windowsShim(node)],
        ]
      : [[SET_VARIABLE_COMMAND, HELPER]];
  for (const [name, text] of files) {
    const file = path.join(bin, name);
    if (!fs.existsSync(file)) fs.writeFileSync(file, text);
    fs.chmodSync(file, 0o755);
  }
  fs.chmodSync(bin, 0o755);
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
