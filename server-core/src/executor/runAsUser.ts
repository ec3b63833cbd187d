import fs from 'node:fs';

/** The unprivileged OS account the built-in worker runs scripts as. */
export interface RunAsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export class RunAsError extends Error {}

/**
 * Looks the account up in /etc/passwd. Switching to it needs the node to run as root
 * (Linux and other Unix systems); on Windows run the node's service as the account instead.
 */
export function resolveRunAsUser(name: string, passwd = '/etc/passwd'): RunAsUser {
  if (process.platform === 'win32') throw new RunAsError('builtInWorkerRunAs is not supported on Windows; run the Shoal service under the account scripts should use.');
  if (process.getuid?.() !== 0) throw new RunAsError(`builtInWorkerRunAs (${name}) needs the node to run as root, so it can start scripts as ${name}.`);
  const line = fs
    .readFileSync(passwd, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  if (!line) throw new RunAsError(`builtInWorkerRunAs: there is no account named ${name} on this machine.`);
  const [, , uid, gid, , home] = line.split(':');
  if (Number(uid) === 0) throw new RunAsError(`builtInWorkerRunAs: ${name} is root; choose an unprivileged account.`);
  return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
}
