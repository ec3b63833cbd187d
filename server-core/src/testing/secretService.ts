/**
 * A real Secret Service for tests: a private D-Bus session (dbus-run-session) with GNOME Keyring
 * unlocked in it, its files in a temp folder (never the user's keyring). The caller points
 * DBUS_SESSION_BUS_ADDRESS at `busAddress` before the first keychain call of its process.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './tempDir.js';

export interface SecretServiceSession {
  busAddress: string;
  stop(): Promise<void>;
}

export function secretServiceMissing(): string | undefined {
  for (const tool of ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (.ci/run installs dbus and gnome-keyring)`;
  }
  return undefined;
}

// The keyring's password comes on stdin. The bus address is printed only once the daemon owns the
// Secret Service name: a call before that would have D-Bus start a second, locked daemon.
const SCRIPT = `printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets &
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q 'boolean true'; do
  i=$((i+1)); [ $i -gt 100 ] && { echo "gnome-keyring-daemon did not take the Secret Service name" >&2; exit 1; }
  sleep 0.1
done
echo "BUS=$DBUS_SESSION_BUS_ADDRESS"
wait`;

export async function startSecretService(timeoutMs = 15_000): Promise<SecretServiceSession> {
  const home = makeTempDir('shoal-keyring-');
  const runtime = path.join(home, 'run');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_RUNTIME_DIR: runtime,
    KEYRING_PASSWORD: 'test-keyring-password',
  };
  fs.mkdirSync(runtime, { mode: 0o700 });
  // Its own process group, so stop() ends the bus, the shell and the keyring daemon together.
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const busAddress = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no D-Bus session within ${timeoutMs} ms: ${output}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const m = /BUS=(\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-run-session exited (${code}): ${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    busAddress,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
  };
}
