import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storageUnder, type StoragePaths } from '../storage/paths.js';

/** Everything a node needs to start, after flags, environment and config file are merged. */
export interface NodeConfig {
  dataDir: string;
  databaseUrl: string;
  host: string;
  port: number;
  nodeName: string;
  /** The cap of the node's first registration; later an operator's setting (API, portal) stands. */
  taskCap: number;
  /** `--task-cap` was given: it overrides the cap the cluster has for this node. */
  taskCapOverride: boolean;
  builtInWorker: boolean;
  /** An unprivileged OS account the built-in worker runs scripts as (the node runs as root). */
  builtInWorkerRunAs?: string;
  storage: StoragePaths;
  /** Base64 of 32 bytes; when absent a standalone node keeps one in its data dir (see masterKeyKeychain). */
  masterKey?: string;
  /** The data dir's master key is in the OS keychain under this entry (the desktop app moved it there), not in its file. */
  masterKeyKeychain?: KeychainEntry;
  /** Where the built portal is; absent means the node serves the API only. */
  portalDir?: string;
  /** Where the self-contained agent is (agent/bundle: manifest.json and its .tar.gz); absent means the node does not serve it. */
  agentBundleDir?: string;
  /** Queue expiry for new tasks. */
  queueExpiryMs?: number;
  /** Load balancers whose X-Forwarded-For is believed: addresses or CIDR ranges. */
  trustedProxies: string[];
  /** The URLs users reach the cluster at (the balancer's); their hosts are the only Host names answered besides loopback and the machine's own. */
  publicUrls: string[];
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
  /** The agents' port (mutual TLS); 0 lets the OS pick one. */
  commsPort: number;
  /** Where agents poll when they register (e.g. the balancer's TCP port): https://host:port. */
  publicCommsUrl?: string;
}

/** An entry of the OS keychain. */
export interface KeychainEntry {
  service: string;
  account: string;
}

/** What a config file (JSON) may hold. */
export interface ConfigFile {
  databaseUrl?: string;
  host?: string;
  port?: number;
  nodeName?: string;
  taskCap?: number;
  builtInWorker?: boolean;
  builtInWorkerRunAs?: string;
  masterKey?: string;
  masterKeyKeychain?: KeychainEntry;
  storage?: Partial<StoragePaths> & { root?: string };
  portalDir?: string;
  agentBundleDir?: string;
  trustedProxies?: string[];
  publicUrls?: string[];
  tls?: { certFile: string; keyFile: string };
  commsPort?: number;
  publicCommsUrl?: string;
}

export interface ConfigFlags {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  host?: string;
  port?: number;
  nodeName?: string;
  taskCap?: number;
  builtInWorkerRunAs?: string;
  tlsCert?: string;
  tlsKey?: string;
  commsPort?: number;
  publicCommsUrl?: string;
}

export class ConfigError extends Error {}

export const DEFAULT_PORT = 8050;
export const DEFAULT_COMMS_PORT = 10943;
export const DEFAULT_TASK_CAP = 5;
export const CONFIG_FILE_NAME = 'shoal.config.json';

const CONFIG_KEYS: (keyof ConfigFile)[] = ['databaseUrl', 'host', 'port', 'nodeName', 'taskCap', 'builtInWorker', 'builtInWorkerRunAs', 'masterKey', 'masterKeyKeychain', 'storage', 'portalDir', 'agentBundleDir', 'trustedProxies', 'publicUrls', 'tls', 'commsPort', 'publicCommsUrl'];

export function readConfigFile(file: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file}: expected a JSON object`);
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_KEYS.includes(key as keyof ConfigFile)) throw new ConfigError(`config file ${file}: unknown setting "${key}"`);
  }
  const entry = (parsed as ConfigFile).masterKeyKeychain;
  if (entry !== undefined && !(typeof entry?.service === 'string' && entry.service && typeof entry.account === 'string' && entry.account)) {
    throw new ConfigError(`config file ${file}: masterKeyKeychain must be {"service": "…", "account": "…"}`);
  }
  return parsed as ConfigFile;
}

/** Writes a config file whole (owner-only), then renames it into place: a crash leaves the old one or the new one. */
export function writeConfigFile(file: string, config: ConfigFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function envInt(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
  return Number(v);
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

function publicUrls(urls: string[]): string[] {
  for (const u of urls) {
    if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol)) throw new ConfigError(`publicUrls: "${u}" is not an http(s) URL`);
  }
  return urls;
}

function tlsFiles(flags: ConfigFlags, env: NodeJS.ProcessEnv, file: ConfigFile): NodeConfig['tls'] {
  const certFile = flags.tlsCert ?? env.SHOAL_TLS_CERT ?? file.tls?.certFile;
  const keyFile = flags.tlsKey ?? env.SHOAL_TLS_KEY ?? file.tls?.keyFile;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('TLS needs both a certificate and a key (--tls-cert and --tls-key)');
  for (const f of [certFile, keyFile]) if (!fs.existsSync(f)) throw new ConfigError(`TLS file ${f} does not exist`);
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHOAL_DATA_DIR || path.join(os.homedir(), '.shoal');
}

/** Sets settings in a data dir's config file (made when missing), keeping the others. */
export function updateConfigFile(dataDir: string, change: ConfigFile): void {
  const file = path.join(dataDir, CONFIG_FILE_NAME);
  writeConfigFile(file, { ...(fs.existsSync(file) ? readConfigFile(file) : {}), ...change });
}

/** Precedence: command-line flag, then environment, then config file, then default. */
export function resolveNodeConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const dataDir = path.resolve(flags.dataDir ?? defaultDataDir(env));
  const configPath = flags.config ?? path.join(dataDir, CONFIG_FILE_NAME);
  const file: ConfigFile = flags.config || fs.existsSync(configPath) ? readConfigFile(configPath) : {};
  const port = flags.port ?? envInt('SHOAL_PORT', env) ?? file.port ?? DEFAULT_PORT;
  const taskCap = flags.taskCap ?? file.taskCap ?? DEFAULT_TASK_CAP;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be 0-65535, got ${port}`);
  // With the API on a port the OS picks (tests, several nodes on one machine), the comms port is picked too.
  const commsPort = flags.commsPort ?? envInt('SHOAL_COMMS_PORT', env) ?? file.commsPort ?? (port === 0 ? 0 : DEFAULT_COMMS_PORT);
  if (!Number.isInteger(commsPort) || commsPort < 0 || commsPort > 65535) throw new ConfigError(`comms port must be 0-65535, got ${commsPort}`);
  const publicCommsUrl = flags.publicCommsUrl ?? (env.SHOAL_PUBLIC_COMMS_URL || file.publicCommsUrl);
  if (publicCommsUrl !== undefined && !/^https:\/\/[^/\s]+\/?$/i.test(publicCommsUrl)) throw new ConfigError(`public comms URL must be https://host:port, got ${publicCommsUrl}`);
  if (!Number.isInteger(taskCap) || taskCap < 0) throw new ConfigError(`task cap must be a whole number ≥ 0, got ${taskCap}`);
  const storageRoot = file.storage?.root ?? path.join(dataDir, 'storage');
  const { root: _root, ...storageOverrides } = file.storage ?? {};
  return {
    dataDir,
    databaseUrl: flags.databaseUrl ?? (env.SHOAL_DATABASE_URL || file.databaseUrl || path.join(dataDir, 'shoal.db')),
    host: flags.host ?? file.host ?? '127.0.0.1',
    port,
    nodeName: flags.nodeName ?? env.SHOAL_NODE_NAME ?? file.nodeName ?? os.hostname(),
    taskCap,
    taskCapOverride: flags.taskCap !== undefined,
    builtInWorker: file.builtInWorker ?? true,
    builtInWorkerRunAs: flags.builtInWorkerRunAs ?? env.SHOAL_BUILT_IN_WORKER_RUN_AS ?? file.builtInWorkerRunAs,
    storage: { ...storageUnder(storageRoot), ...storageOverrides },
    masterKey: env.SHOAL_MASTER_KEY || file.masterKey,
    masterKeyKeychain: file.masterKeyKeychain,
    portalDir: env.SHOAL_PORTAL_DIR || file.portalDir,
    agentBundleDir: env.SHOAL_AGENT_BUNDLE_DIR || file.agentBundleDir,
    trustedProxies: env.SHOAL_TRUSTED_PROXIES ? list(env.SHOAL_TRUSTED_PROXIES) : file.trustedProxies ?? [],
    publicUrls: publicUrls(env.SHOAL_PUBLIC_URLS ? list(env.SHOAL_PUBLIC_URLS) : file.publicUrls ?? []),
    tls: tlsFiles(flags, env, file),
    commsPort,
    publicCommsUrl: publicCommsUrl?.replace(/\/$/, ''),
  };
}
