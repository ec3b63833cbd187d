import { execFile } from 'node:child_process';
import { REPO_ROOT, SHOAL_BIN } from './repo.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `shoal <args>` to completion (a clean environment apart from `env`), after the command prefix `prefix` if any. */
export function runShoalCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000, prefix: string[] = []): Promise<CliResult> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SHOAL_')) clean[k] = v;
  return new Promise((resolve) => {
    const [cmd, ...argv] = [...prefix, process.execPath, SHOAL_BIN, ...args];
    execFile(cmd!, argv, { cwd: REPO_ROOT, env: { ...clean, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `shoal api-key create` against a data dir; returns the key. */
export async function createApiKeyViaCli(dataDir: string, name = 'system-test'): Promise<string> {
  const r = await runShoalCli(['api-key', 'create', '--name', name, '--data-dir', dataDir]);
  const key = r.stdout.trim();
  if (r.code !== 0 || !key) throw new Error(`shoal api-key create failed (${r.code}): ${r.stderr}`);
  return key;
}
