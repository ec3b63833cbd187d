import os from 'node:os';
import path from 'node:path';
import type { KeyAndCertificate } from '@shoal/server-core/certificates';
import { DEFAULT_LISTEN_PORT } from '@shoal/server-core/contract';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CommsClient } from './comms.js';
import { AgentDataDir, defaultDataDir, NotRegisteredError, type Registration } from './dataDir.js';
import { ListeningAgent } from './listener.js';
import { DEFAULT_CACHE_LIMITS, PackageCache } from './packages/cache.js';
import type { PackageDeployer } from './packages/deploy.js';
import { Poller } from './poller.js';
import { register, RegistrationError } from './register.js';
import { installedHome, upgrade } from './upgrade.js';
import { AGENT_VERSION } from './version.js';

const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

const collect = (v: string, previous: string[] = []) => {
  if (!v.trim()) throw new InvalidArgumentError('must not be empty.');
  return [...previous, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
};
const url = (v: string) => {
  if (!/^https?:\/\/[^/]+/i.test(v)) throw new InvalidArgumentError('must be an http(s):// URL.');
  return v;
};
const port = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new InvalidArgumentError('must be a port number from 1 to 65535.');
  return Number(v);
};
const httpsHostPort = (v: string) => {
  if (!/^https:\/\/[^/?#\s]+:\d{1,5}\/?$/i.test(v)) throw new InvalidArgumentError('must be https://host:port (the address nodes dial).');
  return v.replace(/\/+$/, '');
};
const mode = (v: string) => {
  if (!['polling', 'listening'].includes(v.toLowerCase())) throw new InvalidArgumentError('must be polling or listening.');
  return v.toLowerCase();
};
const capacity = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100.');
  return Number(v);
};

const wholeNumber = (min: number, max: number) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
  return Number(v);
};

const dataDirOf = (flags: { dataDir?: string }) => new AgentDataDir(path.resolve(flags.dataDir ?? defaultDataDir()));
const dataDirOption = () => new Option('--data-dir <dir>', 'where the key, certificate and registration are (default: $SHOAL_AGENT_DATA_DIR or a per-user folder)');

/** A listening agent: opens its port to the cluster's nodes and runs what they hand over, until stopped. */
async function runListening(r: Registration, identity: KeyAndCertificate, workRoot: string, packages: PackageDeployer): Promise<void> {
  const agent = new ListeningAgent({ identity, clusterThumbprint: r.clusterThumbprint, port: r.listenPort ?? DEFAULT_LISTEN_PORT, workRoot, packages, say });
  await agent.start();
  say(`shoal-agent ${AGENT_VERSION}: ${r.name} (${r.targetId}, thumbprint ${identity.thumbprint}) listens on port ${agent.port} for the cluster's nodes (they dial ${r.address}; it accepts only the cluster certificate ${r.clusterThumbprint})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      say(`received ${signal}; stopping`);
      void agent.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.exit(0);
}

/** Thrown for arguments that make no sense together: exit 2. */
class UsageError extends Error {}

/** Bad arguments exit 2 with one line; failures at run time exit 1 with one line (as `shoal`). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('shoal-agent').description('Shoal deployment agent: runs deployment steps on this machine for a Shoal cluster').version(AGENT_VERSION).showSuggestionAfterError(true);

  program
    .command('register')
    .description('register this machine as a deployment target (polling or listening) and keep what to trust and where to poll or listen')
    .requiredOption('--server <url>', "the cluster's API address (the balancer's or a node's)", url)
    .option('--api-key <key>', 'an API key of an administrator')
    .option('--token <token>', 'a one-time registration token (POST /api/{spaceId}/targets/registration-tokens)')
    .requiredOption('--name <name>', 'the target name, unique in the space')
    .requiredOption('--environment <env...>', 'environment names or ids (repeat or comma-separate)', collect)
    .requiredOption('--role <role...>', 'roles (repeat or comma-separate)', collect)
    .option('--space <id>', 'space', 'Spaces-1')
    .option('--comms <url>', "poll here instead of the address the cluster names (https://host:port of its comms port)", url)
    .option('--mode <mode>', 'polling (the agent connects to the cluster) or listening (the cluster\'s nodes connect to the agent)', mode, 'polling')
    .option('--listen-port <port>', `listening: the port it opens (default ${DEFAULT_LISTEN_PORT})`, port)
    .option('--public-url <url>', "listening: https://host:port where the cluster's nodes reach it (default this machine's host name and --listen-port)", httpsHostPort)
    .addOption(dataDirOption())
    .action(async (f: { server: string; apiKey?: string; token?: string; name: string; environment: string[]; role: string[]; space: string; comms?: string; mode: string; listenPort?: number; publicUrl?: string; dataDir?: string }) => {
      if (!f.apiKey === !f.token) throw new UsageError('give exactly one of --api-key and --token');
      const listening = f.mode === 'listening';
      if (!listening && (f.listenPort !== undefined || f.publicUrl)) throw new UsageError('--listen-port and --public-url are for --mode listening');
      if (listening && f.comms) throw new UsageError('--comms is for polling agents; a listening agent is dialed by the nodes');
      const listenPort = f.listenPort ?? DEFAULT_LISTEN_PORT;
      const listen = listening ? { port: listenPort, address: f.publicUrl ?? `https://${os.hostname()}:${listenPort}` } : undefined;
      const dir = dataDirOf(f);
      const r = await register(dir, { server: f.server, apiKey: f.apiKey, token: f.token, name: f.name, environments: f.environment, roles: f.role, space: f.space, comms: f.comms, listen });
      const how = listen ? `nodes dial it at ${listen.address} (open TCP port ${listen.port} to them)` : `it polls ${r.commsUrl}`;
      process.stdout.write(`Registered ${r.name} as ${r.targetId}; ${how} and it trusts the cluster certificate ${r.clusterThumbprint}.\nStart it with: shoal-agent run --data-dir ${dir.dir}\n`);
    });

  program
    .command('run')
    .description('poll the cluster for work (or, listening, wait for its nodes) and run it, until stopped')
    .addOption(dataDirOption())
    .option('--capacity <n>', 'polling: pieces of work at once (default 5)', capacity, 5)
    .option('--cache-packages <n>', "packages kept in the data dir's package cache (least recently used out first)", wholeNumber(1, 10_000), DEFAULT_CACHE_LIMITS.maxPackages)
    .option('--cache-max-gb <n>', 'GiB the package cache keeps at most', wholeNumber(1, 100_000), DEFAULT_CACHE_LIMITS.maxBytes / 1024 ** 3)
    .action(async (f: { dataDir?: string; capacity: number; cachePackages: number; cacheMaxGb: number }) => {
      const dir = dataDirOf(f);
      const r = dir.registration();
      const identity = await dir.identity();
      const packages = { cache: new PackageCache(dir.packagesDir, { maxPackages: f.cachePackages, maxBytes: f.cacheMaxGb * 1024 ** 3 }), applicationsDir: dir.applicationsDir };
      if (r.mode === 'Listening') return runListening(r, identity, dir.workDir, packages);
      const client = new CommsClient(r.commsUrl, identity, r.clusterCertificate, r.clusterThumbprint);
      const poller = new Poller({ client, workRoot: dir.workDir, packages, capacity: f.capacity, say });
      say(`shoal-agent ${AGENT_VERSION}: ${r.name} (${r.targetId}, thumbprint ${identity.thumbprint}) polls ${r.commsUrl}`);
      const stop = (signal: string) => {
        say(`received ${signal}; stopping`);
        void poller.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      await poller.run();
    });

  program
    .command('show-thumbprint')
    .description("print this agent's certificate thumbprint (made with its key on first use)")
    .addOption(dataDirOption())
    .action(async (f: { dataDir?: string }) => {
      process.stdout.write(`${(await dataDirOf(f).identity()).thumbprint}\n`);
    });

  program
    .command('upgrade')
    .description("replace this self-contained agent with the cluster's version (from the server it registered with); restart it afterwards")
    .addOption(dataDirOption())
    .action(async (f: { dataDir?: string }) => {
      const home = installedHome();
      if (!home) throw new Error('this agent runs from a checkout of the repository; upgrade it there (git pull, npm run build). `upgrade` is for the agent downloaded from a node (GET /api/agent/download).');
      const r = await upgrade(home, dataDirOf(f).registration().serverUrl);
      if (!r.upgraded) process.stdout.write(`shoal-agent in ${home} is already the cluster's version: ${r.current}\n`);
      else process.stdout.write(`Upgraded shoal-agent in ${home} from ${r.from} to ${r.to}; the previous one is in ${r.previous}.\nRestart the agent to run it (for example: systemctl restart shoal-agent).\n`);
    });

  for (const cmd of [program, ...program.commands]) cmd.exitOverride().configureOutput({ outputError: () => {} });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) process.exit(0);
      process.stderr.write(`shoal-agent: ${err.message.replace(/^error: /, '').split('\n')[0]}\n`);
      process.exit(2);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`shoal-agent: ${err.message}\n`);
      process.exit(2);
    }
    // RegistrationError, NotRegisteredError and the rest: one line, exit 1.
    process.stderr.write(`shoal-agent: ${err instanceof RegistrationError || err instanceof NotRegisteredError ? err.message : ((err as Error).message ?? err)}\n`);
    process.exit(1);
  }
}
