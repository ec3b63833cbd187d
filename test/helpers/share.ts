/**
 * A real network share for cluster tests: a loopback OpenSSH server (Debian's `sshd`, its
 * `internal-sftp`) serves one folder, and each node runs in its own mount namespace
 * (`unshare --mount`) where `sshfs` mounts that folder at the same path, as separate
 * machines would: each mount has its own attribute and directory caches, and another
 * node's writes reach it late. Everything is torn down at teardown (mounts go with their
 * namespaces).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort.js';
import { REPO_ROOT } from './repo.js';
import { onTeardown, trackChild } from './teardown.js';
import { waitFor } from '../../server-core/src/testing/wait.js';
import { parentPid } from '../../server-core/src/testing/processes.js';

const run = promisify(execFile);

export interface ShareOptions {
  /** sshfs caching: its default (attributes and listings cached for 20 s) or `-o cache=no`. */
  cache?: 'default' | 'no';
  /** SFTP requests the server refuses (e.g. `hardlink@openssh.com`): a share without hard links. */
  blockedRequests?: string[];
}

export interface ShareNamespace {
  /** The process holding the mount namespace; `nsenter -t <pid> -m` enters it. */
  holderPid: number;
  /** Command prefix that runs a program in this namespace (it execs: the pid is the program's). */
  prefix: string[];
  mounted(): boolean;
  /** Mounts the share at the mount point (sshfs in the foreground, owned by the test). */
  mount(): Promise<void>;
  /** Unmounts it (lazily, as a vanished share would be), leaving the empty mount point. */
  unmount(): Promise<void>;
}

export interface Share {
  /** The folder the server exports (the share's content, as the server sees it). */
  exportDir: string;
  /** Where every namespace mounts it. */
  mountPoint: string;
  /** A namespace with the share mounted (or, with `mount: false`, one whose mount failed). */
  namespace(o?: { mount?: boolean }): Promise<ShareNamespace>;
  /** SIGSTOP (true) or SIGCONT (false) to the whole sshd process tree: a share that stalls. */
  freeze(stopped: boolean): void;
  sshdPid: number;
}

/** Pids of `pid` and every descendant, from /proc. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(entry);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return out;
}

function mountedIn(holderPid: number, mountPoint: string): boolean {
  try {
    return fs
      .readFileSync(`/proc/${holderPid}/mountinfo`, 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === mountPoint && / - fuse\.sshfs /.test(l));
  } catch {
    return false;
  }
}

/** Starts sshd on a free loopback port serving `<dir>/export`, to be mounted at `<dir>/mnt`. */
export async function startShare(dir: string, o: ShareOptions = {}): Promise<Share> {
  const exportDir = path.join(dir, 'export');
  const mountPoint = path.join(dir, 'mnt');
  const keys = path.join(dir, 'ssh');
  for (const d of [exportDir, mountPoint, keys]) fs.mkdirSync(d, { recursive: true });
  const hostKey = path.join(keys, 'host_ed25519');
  const clientKey = path.join(keys, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  const authorized = path.join(keys, 'authorized_keys');
  fs.copyFileSync(`${clientKey}.pub`, authorized);
  fs.chmodSync(authorized, 0o600);
  const port = await freePort();
  const sftp = ['internal-sftp', ...(o.blockedRequests?.length ? ['-P', o.blockedRequests.join(',')] : [])].join(' ');
  const config = path.join(keys, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${path.join(keys, 'sshd.pid')}`,
      `Subsystem sftp ${sftp}`,
      `ForceCommand ${sftp}`,
      'MaxStartups 50',
      'MaxSessions 50',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege-separation folder.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  trackChild(sshd);
  let sshdLog = '';
  sshd.stderr!.on('data', (d) => (sshdLog += d));
  onTeardown(() => {
    // A frozen tree would never exit.
    for (const p of processTree(sshd.pid!)) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // gone
      }
    }
  });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        if (sshd.exitCode !== null) throw new Error(`sshd exited: ${sshdLog}`);
        const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
      }),
    { timeoutMs: 10_000, message: `sshd did not listen on ${port}` },
  );

  const user = process.env.USER ?? 'root';
  const sshfsArgs = [
    '-f',
    `${user}@127.0.0.1:${exportDir}`,
    mountPoint,
    '-o',
    [
      `port=${port}`,
      `IdentityFile=${clientKey}`,
      'StrictHostKeyChecking=no',
      'UserKnownHostsFile=/dev/null',
      'BatchMode=yes',
      'LogLevel=ERROR',
      ...(o.cache === 'no' ? ['cache=no'] : []),
    ].join(','),
  ];

  const namespace = async (no: { mount?: boolean } = {}): Promise<ShareNamespace> => {
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', 'infinity'], { stdio: 'ignore' });
    trackChild(holder);
    // The namespace exists once unshare has exec'd sleep.
    await waitFor(() => fs.readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('sleep'), { timeoutMs: 5000, message: 'unshare did not start' });
    const holderPid = holder.pid!;
    const enter = ['nsenter', '-t', String(holderPid), '-m', `--wd=${REPO_ROOT}`, '--'];
    let sshfs: ChildProcess | undefined;
    const ns: ShareNamespace = {
      holderPid,
      prefix: enter,
      mounted: () => mountedIn(holderPid, mountPoint),
      async mount() {
        let output = '';
        const child = spawn(enter[0]!, [...enter.slice(1), 'sshfs', ...sshfsArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
        trackChild(child);
        child.stdout!.on('data', (d) => (output += d));
        child.stderr!.on('data', (d) => (output += d));
        sshfs = child;
        await waitFor(
          () => {
            if (child.exitCode !== null) throw new Error(`sshfs exited (${child.exitCode}): ${output}`);
            return ns.mounted();
          },
          { timeoutMs: 15_000, message: 'sshfs did not mount the share' },
        );
      },
      async unmount() {
        await run(enter[0]!, [...enter.slice(1), 'umount', '-l', mountPoint]);
        const child = sshfs;
        if (child && child.exitCode === null) {
          await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
          if (child.exitCode === null) child.kill('SIGKILL');
        }
      },
    };
    if (no.mount !== false) await ns.mount();
    return ns;
  };

  return {
    exportDir,
    mountPoint,
    sshdPid: sshd.pid!,
    namespace,
    freeze(stopped) {
      for (const p of processTree(sshd.pid!)) {
        try {
          process.kill(p, stopped ? 'SIGSTOP' : 'SIGCONT');
        } catch {
          // gone
        }
      }
    },
  };
}
