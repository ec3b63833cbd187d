import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_OUTPUT_LIMITS, AGENT_PATHS, outputVariablesSize, type AgentLogBody, type AgentResultBody, type AgentWorkItem } from '@shoal/server-core/contract';
import { installHelpers, readOutputVariables, type OutputVariable } from '@shoal/server-core/output-variables';
import type { CommsGetter, CommsPoster } from './comms.js';
import { deployPackageHere, type PackageDeployer } from './packages/deploy.js';
import { postUntilTaken, RefusedError, type Say } from './retry.js';
import { startScript, type ScriptRun } from './scriptProcess.js';
import { AGENT_VERSION } from './version.js';

const CHUNK_LINES = 200;
const FLUSH_MS = 200;

/** Log lines in numbered chunks, posted one after the other; a retried chunk keeps its number. */
class LogShipper {
  private pending: AgentLogBody['lines'] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  sent = 0;
  lost: Error | undefined;

  constructor(private readonly post: (body: AgentLogBody) => Promise<void>, private readonly token: string) {}

  add(stream: 'out' | 'err', text: string): void {
    this.pending.push({ stream, text: text.slice(0, 64 * 1024) });
    if (this.pending.length >= CHUNK_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const body: AgentLogBody = { token: this.token, seq: this.sent++, lines: this.pending };
    this.pending = [];
    this.chain = this.chain.then(() => (this.lost ? undefined : this.post(body).catch((err) => void (this.lost = err as Error))));
  }

  async drain(): Promise<void> {
    this.flush();
    await this.chain;
  }
}

/**
 * Runs one piece of work: heartbeats renew its lease (a reply may cancel it), lines go out in
 * numbered chunks, and the result is posted after the last chunk, until a node takes it.
 */
/** Packages reach an agent that polls: it downloads them from the comms port with its client. */
export type PackageSource = PackageDeployer & { client: CommsGetter };

export async function runWorkItem(
  item: AgentWorkItem,
  o: { client: CommsPoster; workRoot: string; packages?: PackageSource; say: Say; stopped: () => boolean; stopSignal: AbortSignal },
): Promise<void> {
  const { client, say } = o;
  const post = (p: string, body: unknown, what: string) => postUntilTaken(client, p, body, (l) => say(`${item.id}: ${l}`), what, o.stopped);
  const shipper = new LogShipper(async (body) => void (await post(AGENT_PATHS.log(item.id), body, `log chunk ${body.seq}`)), item.token);
  let script: ScriptRun | undefined;
  let canceled = false;
  let lostLease: string | undefined;
  /** Ends package work under way (a download, the wait between phases) with the reason. */
  const ending = new AbortController();
  const beat = setInterval(() => {
    post(AGENT_PATHS.heartbeat(item.id), { token: item.token }, 'heartbeat').then(
      (a) => {
        if ((a.body as { cancel?: boolean }).cancel && !canceled) {
          canceled = true;
          say(`${item.id}: canceled by the cluster; ending the script and its processes`);
          script?.killTree();
          ending.abort(new Error('Canceled by the cluster.'));
        }
      },
      (err) => {
        if (err instanceof RefusedError && !lostLease) {
          lostLease = err.message;
          say(`${item.id}: the cluster no longer counts this work as ours (${err.message}); ending it`);
          script?.killTree();
          ending.abort(new Error(err.message));
        }
      },
    );
  }, Math.max(1000, Math.floor(item.leaseMs / 10)));
  const result: AgentResultBody = { token: item.token, logChunks: 0, exitCode: null };
  const dir = path.join(o.workRoot, item.id);
  /** Where `shoal-set-variable` writes, in every script of this work; reported with the result. */
  const outputFile = path.join(dir, 'output-variables');
  /** Output variables of the work itself, before those its scripts set (as the built-in worker's package step). */
  const ownOutputs: OutputVariable[] = [];
  /** Runs one script of this work (the step's, or a package's own); a cancel, a lost lease or the agent stopping ends it. */
  const runScript = async (s: { body: string; syntax: string; env: Record<string, string>; cwd?: string }): Promise<number | null> => {
    say(`${item.id}: running a ${s.syntax} script`);
    const helpers = installHelpers(dir);
    const env = { ...s.env, SHOAL_OUTPUT_VARIABLES_FILE: outputFile, PATH: `${helpers}${path.delimiter}${process.env.PATH ?? ''}` };
    script = startScript({ dir, ...s, env, onLine: (stream, text) => shipper.add(stream, text) });
    // The agent stopping ends its scripts too: none is left running without an agent to report it.
    const onStop = () => {
      result.error = 'The agent was stopped while the script ran.';
      script?.killTree();
    };
    o.stopSignal.addEventListener('abort', onStop, { once: true });
    const code = await script.exited.finally(() => o.stopSignal.removeEventListener('abort', onStop));
    say(`${item.id}: the script ended${code === null ? ' by a signal' : ` with exit code ${code}`}`);
    return code;
  };
  try {
    if (item.kind === 'HealthCheck') {
      fs.mkdirSync(o.workRoot, { recursive: true });
      const s = fs.statfsSync(o.workRoot);
      result.exitCode = 0;
      result.health = { freeDiskBytes: s.bavail * s.bsize, workDir: o.workRoot, os: osDescription(), agentVersion: AGENT_VERSION };
    } else if (item.kind === 'DeployPackage') {
      if (!o.packages) throw new Error('This agent was started without a package cache: it cannot take package steps.');
      say(`${item.id}: deploying ${item.package!.packageId} ${item.package!.version}`);
      const onStop = () => ending.abort(new Error('The agent was stopped during the deployment.'));
      o.stopSignal.addEventListener('abort', onStop, { once: true });
      const installPath = await deployPackageHere(item.package!, item, { ...o.packages, log: (line) => shipper.add('out', line), runScript, signal: ending.signal }).finally(() => o.stopSignal.removeEventListener('abort', onStop));
      ownOutputs.push({ name: 'Package.InstallationDirectoryPath', value: installPath, sensitive: false });
      result.exitCode = 0;
    } else {
      result.exitCode = await runScript(item.script!);
    }
  } catch (err) {
    result.error = (err as Error).message;
  } finally {
    clearInterval(beat);
    const outputs = collectOutputs(ownOutputs, outputFile);
    if ('error' in outputs) result.error ??= outputs.error;
    else if (outputs.variables.length) result.outputVariables = outputs.variables;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (canceled) result.canceled = true;
  await shipper.drain();
  if (shipper.lost) {
    say(`${item.id}: ${shipper.lost.message}`);
    return;
  }
  result.logChunks = shipper.sent;
  try {
    await post(AGENT_PATHS.result(item.id), result, 'result');
    say(`${item.id}: result reported`);
  } catch (err) {
    say(`${item.id}: the result was not taken: ${(err as Error).message}`);
  }
}

/** The output variables to report: the work's own, then those its scripts set, within AGENT_OUTPUT_LIMITS (or why none is kept). */
function collectOutputs(own: OutputVariable[], file: string): { variables: OutputVariable[] } | { error: string } {
  const L = AGENT_OUTPUT_LIMITS;
  const tooMuch = `shoal-set-variable: a piece of work sets at most ${L.count} output variables, each named in 1 to ${L.name} characters with a value of at most ${L.value} characters, ${L.total} in all; none is kept.`;
  try {
    if (fs.existsSync(file) && fs.statSync(file).size > 4 * L.total) return { error: tooMuch };
    const variables = [...own, ...readOutputVariables(file)];
    if (variables.length > L.count || outputVariablesSize(variables) > L.total || variables.some((v) => !v.name || v.name.length > L.name || v.value.length > L.value)) return { error: tooMuch };
    return { variables };
  } catch (err) {
    return { error: `shoal-set-variable: the output variables could not be read (${(err as Error).message}).` };
  }
}

export const osDescription = (): string => `${os.type()} ${os.release()} (${process.platform} ${process.arch})`;
