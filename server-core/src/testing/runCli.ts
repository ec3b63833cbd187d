import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SERVER_CORE = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  /** The built entry (bin/shoal.js), for a test that must start it some other way (as another account). */
  bin: string;
  /** Runs `shoal <args>` in a child process with a clean environment; kills it after `timeoutMs`. */
  run(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  dispose(): void;
}

/**
 * Builds the CLI from the current sources into a private folder laid out like the package
 * (bin/shoal.js — a copy of the real one — loading dist/cli/index.js), so tests run the
 * real entry point without a stale dist/ and without rebuilding the shared one that other
 * work may be using. One esbuild bundle takes well under a second, and each run then costs
 * plain `node`, not a TypeScript loader per module. The folder lives under
 * server-core/node_modules/.cache so the bundle's external packages resolve as usual.
 *
 * `home` becomes HOME and SHOAL_DATA_DIR's parent, so no run touches the real ~/.shoal.
 */
export async function prepareCli(home: string): Promise<Cli> {
  const root = path.join(SERVER_CORE, 'node_modules', '.cache', 'shoal-cli-test', crypto.randomUUID());
  const pkg = JSON.parse(fs.readFileSync(path.join(SERVER_CORE, 'package.json'), 'utf8')) as { version: string };
  const packageJson = JSON.stringify({ name: 'shoal-cli-test', version: pkg.version, type: 'module', private: true });
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(SERVER_CORE, 'bin', 'shoal.js'), path.join(root, 'bin', 'shoal.js'));
  fs.writeFileSync(path.join(root, 'package.json'), packageJson);
  await build({
    // The script supervisor is a program of its own, found beside the code that starts it.
    entryPoints: {
      index: path.join(SERVER_CORE, 'src', 'cli', 'index.ts'),
      'supervisor/main': path.join(SERVER_CORE, 'src', 'executor', 'supervisor', 'main.ts'),
    },
    outdir: path.join(root, 'dist', 'cli'),
    // Dynamic imports (the SQL Server driver) stay separate chunks, loaded only when used, as in the tsc build.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  // The code sits in dist/cli/ now; version.ts reads `../package.json` from there.
  fs.writeFileSync(path.join(root, 'dist', 'package.json'), packageJson);
  const bin = path.join(root, 'bin', 'shoal.js');

  // A clean environment, but for the SQLite addon of this runtime (a property of the machine, not config).
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k === 'SHOAL_SQLITE_NATIVE_BINDING' || (!k.startsWith('SHOAL_') && !k.startsWith('NODE_TEST'))),
  );
  return {
    bin,
    run(args, { env = {}, timeoutMs = 20_000 } = {}) {
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...base, HOME: home, SHOAL_DATA_DIR: path.join(home, '.shoal'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
