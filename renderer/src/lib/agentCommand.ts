import { DEFAULT_LISTEN_PORT } from '@shoal/server-core/contract';

/**
 * The `shoal-agent register …` command the Targets page shows for a registration token:
 * one line a POSIX shell (and PowerShell) runs as it is, every value quoted when it needs it.
 */
const SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** A value as one shell word: itself when plain, else in single quotes. */
export function shellWord(value: string): string {
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

export interface RegisterCommand {
  serverUrl: string;
  token: string;
  /** The target's name; empty: the machine's host name. */
  name: string;
  environments: readonly string[];
  roles: readonly string[];
  /** A listening agent on this port (nodes dial it); absent: a polling agent. */
  listenPort?: number;
}

export function registerCommand(c: RegisterCommand): string {
  const words = ['shoal-agent', 'register', '--server', shellWord(c.serverUrl), '--token', shellWord(c.token), '--name', c.name.trim() ? shellWord(c.name.trim()) : '"$(hostname)"'];
  for (const e of c.environments) words.push('--environment', shellWord(e));
  for (const r of c.roles) words.push('--role', shellWord(r));
  if (c.listenPort !== undefined) {
    words.push('--mode', 'listening');
    if (c.listenPort !== DEFAULT_LISTEN_PORT) words.push('--listen-port', String(c.listenPort));
  }
  return words.join(' ');
}

/** Roles as typed: comma- or space-separated, trimmed, each once. */
export function parseRoles(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
