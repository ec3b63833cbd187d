import { DEFAULT_LISTEN_PORT } from '@shoal/server-core/contract';

/**
 * The commands the Targets page shows: installing the agent a node serves, then
 * `shoal-agent register …` with a registration token, each one line that the target machine's
 * shell runs as it is (a POSIX shell, or PowerShell on Windows), every value quoted when it needs it.
 */

/** How the commands are written for one kind of machine. */
export interface AgentShell {
  /** A value as one argument: itself when plain, else quoted. */
  word(value: string): string;
  /** The launcher of the agent the install command unpacked, as this shell runs it. */
  agent: string;
  /** The machine's host name: the target name when none is given. */
  hostName: string;
  /** Downloads the archive at `url` and unpacks it where `agent` runs it. */
  install(url: string): string;
}

const POSIX_SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** A value as one POSIX shell word: itself when plain, else in single quotes. */
export function shellWord(value: string): string {
  if (POSIX_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** Where the install command unpacks the agent (`shoal-agent/` inside it). */
export const AGENT_INSTALL_PARENT = '/opt';
/** The launcher of the agent the install command unpacked. */
export const INSTALLED_AGENT = `${AGENT_INSTALL_PARENT}/shoal-agent/shoal-agent`;

export const POSIX_SHELL: AgentShell = {
  word: shellWord,
  agent: INSTALLED_AGENT,
  hostName: '"$(hostname)"',
  install: (url) => `curl -fsSL ${shellWord(url)} | sudo tar -xz -C ${AGENT_INSTALL_PARENT}`,
};

/** Plain PowerShell arguments: nothing that starts a variable, expression, array, splat or parameter. */
const POWERSHELL_SAFE = /^[A-Za-z0-9_./:][A-Za-z0-9_./:-]*$/;

/** A value PowerShell cannot pass to a program intact (Windows PowerShell 5.1 does not escape a double quote inside an argument). */
export class UnsafeForPowerShellError extends Error {}

/**
 * A value as one PowerShell argument: itself when plain, else in single quotes (a quote doubled
 * inside). The commands run node.exe itself, never the .cmd launcher: cmd.exe would read `&`,
 * `|` or `%VAR%` in a value again, as code.
 */
export function powerShellWord(value: string): string {
  if (value.includes('"')) throw new UnsafeForPowerShellError(`"${value}" has a double quote, which PowerShell does not pass on intact: rename it to register a Windows agent.`);
  if (POWERSHELL_SAFE.test(value)) return value;
  return `'${value.replace(/['‘’‚‛]/g, (q) => q + q)}'`;
}

/** Windows, in an elevated PowerShell: unpacked into Program Files with the tar that ships with Windows 10 and later. */
export const POWERSHELL: AgentShell = {
  word: powerShellWord,
  agent: '& "$env:ProgramFiles\\shoal-agent\\runtime\\node.exe" "$env:ProgramFiles\\shoal-agent\\lib\\shoal-agent.mjs"',
  hostName: '$env:COMPUTERNAME',
  install: (url) => `Invoke-WebRequest -UseBasicParsing ${powerShellWord(url)} -OutFile "$env:TEMP\\shoal-agent.tar.gz"; if ($?) { tar -xzf "$env:TEMP\\shoal-agent.tar.gz" -C "$env:ProgramFiles" }`,
};

/** The shell the commands for an agent of `platform` (linux-x64, win32-x64, …) are written for. */
export const shellFor = (platform: string | undefined): AgentShell => (platform?.startsWith('win32-') ? POWERSHELL : POSIX_SHELL);

const OS_NAMES: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

/** A platform as people name it: "Windows x64" for win32-x64. */
export function platformLabel(platform: string): string {
  const [os = '', arch = ''] = platform.split('-');
  return `${OS_NAMES[os] ?? os} ${arch}`.trim();
}

/** The node's download of the agent, for `platform` when given (else the node's own platform's). */
export function agentDownloadUrl(serverUrl: string, platform?: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/api/agent/download${platform ? `?platform=${encodeURIComponent(platform)}` : ''}`;
}

/** Downloads the self-contained agent from the node and unpacks it (its own Node runtime inside). */
export function installCommand(serverUrl: string, platform?: string): string {
  return shellFor(platform).install(agentDownloadUrl(serverUrl, platform));
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
  /** The agent's platform; absent: a POSIX machine. */
  platform?: string;
}

export function registerCommand(c: RegisterCommand): string {
  const sh = shellFor(c.platform);
  const words = [sh.agent, 'register', '--server', sh.word(c.serverUrl), '--token', sh.word(c.token), '--name', c.name.trim() ? sh.word(c.name.trim()) : sh.hostName];
  for (const e of c.environments) words.push('--environment', sh.word(e));
  for (const r of c.roles) words.push('--role', sh.word(r));
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
