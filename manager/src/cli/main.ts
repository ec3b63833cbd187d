/**
 * `shoal-manager [--port N] [--no-open]`: the manager core and its screens served to a browser
 * on 127.0.0.1, for machines without the Electron binary, administrators on servers, and tests.
 * Prints the one-time link (token in the fragment) on stdout; logs go to stderr.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { attachedNode, startEmbeddedNode, type EmbeddedNode } from '../embedded/embeddedNode.js';
import { ManagerCore } from '../manager.js';
import { buildManagerServer } from '../server/managerServer.js';
import { MANAGER_VERSION } from '../version.js';
import { openBrowser } from './openBrowser.js';

interface Flags {
  port: number;
  open: boolean;
  dataDir?: string;
  secrets?: 'session';
  embedded: boolean;
  nodeDataDir?: string;
  nodePort?: number;
  intervalMs?: number;
}

const int = (min: number, max: number) => (v: string) => {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new InvalidArgumentError(`must be a whole number ${min}-${max}`);
  return n;
};

export function defaultManagerDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHOAL_MANAGER_DIR || path.join(os.homedir(), '.shoal-manager');
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('shoal-manager')
    .description('the Shoal cluster manager in a browser: saved connections, fleet health, notifications and the portal for every cluster')
    .version(MANAGER_VERSION)
    .option('--port <n>', 'port on 127.0.0.1 (0: any free one)', int(0, 65535), 0)
    .option('--no-open', 'print the link but do not open the browser')
    .option('--data-dir <dir>', 'the manager\'s folder (connections; default $SHOAL_MANAGER_DIR or ~/.shoal-manager)')
    .option('--secrets <where>', '"session": keep API keys in memory only, without trying the OS keychain', (v) => {
      if (v !== 'session') throw new InvalidArgumentError('the only choice is "session"');
      return v as 'session';
    })
    .option('--embedded', 'also run the embedded Shoal node and add it as a connection', false)
    .option('--node-data-dir <dir>', 'data folder of the embedded node (default as `shoal run`)')
    .option('--node-port <n>', 'port of the embedded node on 127.0.0.1 (default: any free one)', int(0, 65535))
    .option('--interval-ms <ms>', 'how often each cluster is checked', int(200, 600_000))
    .showHelpAfterError()
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  program.parse(argv);
  const flags = program.opts<Flags>();

  const logger = pino({ level: process.env.SHOAL_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const dataDir = path.resolve(flags.dataDir ?? defaultManagerDir());
  const core = await ManagerCore.open({ dataDir, secrets: flags.secrets, health: { intervalMs: flags.intervalMs } });
  const status = core.secrets.status();
  if (status.store === null) {
    logger.warn(`no OS keychain: ${status.keychain.problem}. The page asks where to keep API keys (this session only, or a passphrase-encrypted file).`);
  }
  core.notifications.subscribe((n) => logger.info({ kind: n.kind, connection: n.connectionName, node: n.node }, n.title));

  let embedded: EmbeddedNode | undefined;
  /** Starts the embedded node (again, on the same port, after a move to HA: the caller then tells the core). */
  const runEmbedded = async (port = flags.nodePort) => {
    const keychain = core.embeddedKeychain();
    embedded = await startEmbeddedNode({
      dataDir: flags.nodeDataDir,
      port,
      adminPassword: process.env.SHOAL_ADMIN_PASSWORD || undefined,
      keychainService: keychain.service,
      noKeychain: keychain.problem ?? undefined,
      apiKey: await core.keptEmbeddedKey(),
      onAdminCreated: (password) => {
        if (password) process.stdout.write(`Shoal: created the administrator "admin" of the embedded node; password (shown once): ${password}\n`);
      },
    });
    const node = attachedNode(embedded);
    const where = node.masterKey.where === 'keychain' ? 'in the OS keychain' : node.masterKey.where === 'given' ? 'given by the configuration' : 'in its data dir';
    process.stdout.write(`Shoal: embedded node ${node.nodeName} is running at ${node.url} (data: ${node.dataDir}; master key ${where}${node.shared ? '; a node of a cluster' : ''})\n`);
    if (node.masterKey.note) logger.warn(node.masterKey.note);
    return node;
  };
  if (flags.embedded) await core.attachEmbeddedNode(await runEmbedded());
  const restartEmbedded = async () => {
    const port = embedded ? Number(new URL(embedded.url).port) : flags.nodePort;
    await embedded?.stop('The embedded node restarts on the cluster database.');
    return runEmbedded(port);
  };

  const { app, gate } = await buildManagerServer(core, logger, { restartEmbedded: flags.embedded ? restartEmbedded : undefined });
  await app.listen({ host: '127.0.0.1', port: flags.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : flags.port;
  const link = `http://127.0.0.1:${port}/#token=${gate.issueToken()}`;
  process.stdout.write(`Shoal manager ${MANAGER_VERSION} (data: ${dataDir}) is listening; open this link once (it holds a one-time token):\n  ${link}\n`);
  if (flags.open && !(await openBrowser(link))) process.stdout.write('No browser could be opened here; open the link above in yours (on another machine: through an SSH tunnel to this port).\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Shoal manager: ${signal} received; stopping${embedded ? ' (the embedded node ends its running tasks first)' : ''}.\n`);
    await app.close();
    await core.close();
    await embedded?.stop('The Shoal manager stopped while the task was running.');
    process.stdout.write('Shoal manager: stopped.\n');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}
