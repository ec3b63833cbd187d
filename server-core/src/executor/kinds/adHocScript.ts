import { defaultSyntax, runScript, SCRIPT_SYNTAXES, type ScriptSyntax } from '../runScript.js';
import type { TaskContext, TaskKind } from '../taskKind.js';

const MAX_SCRIPT_BYTES = 512 * 1024;

/** Runs a script on the node's built-in worker, in its own working folder and process group, under its supervisor. */
export const adHocScript: TaskKind = {
  name: 'AdHocScript',
  permission: 'admin',

  parseArguments(args) {
    const extra = Object.keys(args).filter((k) => !['script', 'syntax', 'description'].includes(k));
    if (extra.length) return { error: `arguments.${extra[0]} is not a known argument of AdHocScript` };
    if (typeof args.script !== 'string' || args.script.trim() === '') return { error: 'arguments.script must be a non-empty string' };
    if (Buffer.byteLength(args.script) > MAX_SCRIPT_BYTES) return { error: `arguments.script is larger than ${MAX_SCRIPT_BYTES} bytes` };
    const syntax = args.syntax ?? defaultSyntax();
    if (!SCRIPT_SYNTAXES.includes(syntax as ScriptSyntax)) return { error: `arguments.syntax must be one of ${SCRIPT_SYNTAXES.join(', ')}` };
    if (args.description !== undefined && typeof args.description !== 'string') return { error: 'arguments.description must be a string' };
    const firstLine = args.script.trim().split('\n')[0]!.slice(0, 80);
    return { description: (args.description as string | undefined) || `Script: ${firstLine}` };
  },

  async run(ctx: TaskContext) {
    const syntax = (ctx.args.syntax ?? defaultSyntax()) as ScriptSyntax;
    ctx.log.info(`Running ${syntax} script on the built-in worker of ${ctx.nodeName}${ctx.runAs ? ` as ${ctx.runAs.name}` : ''}`);
    await runScript({
      script: String(ctx.args.script),
      syntax,
      workDir: ctx.workDir,
      env: { SHOAL_TASK_ID: ctx.taskId, SHOAL_SERVER_URL: ctx.serverUrl },
      artifactsDir: ctx.artifactsDir,
      runAs: ctx.runAs,
      signal: ctx.signal,
      lease: ctx.lease,
      nodeName: ctx.nodeName,
      onOutput: (text, stream) => (stream === 'out' ? ctx.log.info(text) : ctx.log.error(text)),
      flow: ctx.log,
    });
  },
};
