import { DEFAULT_LISTEN_PORT } from '@shoal/server-core/contract';

/**
 * The commands the Targets page shows: installing the agent a node serves, then
 * `shoal-agent register …` with a registration token, each one line a POSIX shell runs as it
 * is, every value quoted when it needs it.
 */
const SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** A value as one shell word: itself when plain, else in single quotes. */
export function shellWord(value: string): string {
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** Where the install command unpacks the agent (`shoal-agent/` inside it). */
export const AGENT_INSTALL_PARENT = '/opt';
/** The launcher of the agent the install command unpacked. */
export const INSTALLED_AGENT = `${AGENT_INSTALL_PARENT}/shoal-agent/shoal-agent`;

/** Downloads the self-contained agent from the node and unpacks it (its own Node runtime inside). */
export function installCommand(serverUrl: string): string {
  return `curl -fsSL ${shellWord(`${serverUrl.replace(/\/+$/, '')}/api/agent/download`)} | sudo tar -xz -C ${AGENT_INSTALL_PARENT}`;
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
  const words = [INSTALLED_AGENT, 'register', '--server', shellWord(c.serverUrl), '--token', shellWord(c.token), '--name', c.name.trim() ? shellWord(c.name.trim()) : '"$(hostname)"'];
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
