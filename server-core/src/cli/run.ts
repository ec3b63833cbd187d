import type { Command } from 'commander';
import { resolveNodeConfig, type ConfigFlags } from '../config/nodeConfig.js';
import { startNode } from '../node.js';
import { defaultAgentBundleDir, defaultPortalDir } from './builtAssets.js';
import { parseNonEmpty, parsePort, parseTaskCap } from './parse.js';

/** A clean stop must finish within this; past it the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a node (standalone on SQLite unless a database URL is configured)')
    .option('--data-dir <dir>', 'data folder (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .option('--config <file>', 'JSON config file (default: <data-dir>/shoal.config.json when present)')
    .option('--database-url <url>', 'postgres://…, sqlserver://… or a SQLite file (default: <data-dir>/shoal.db, or $SHOAL_DATABASE_URL)', parseNonEmpty)
    .option('--host <host>', 'address to listen on (default 127.0.0.1)', parseNonEmpty)
    .option('--port <n>', 'port to listen on (default 8050, or $SHOAL_PORT)', parsePort)
    .option('--node-name <name>', 'name of this node (default: host name, or $SHOAL_NODE_NAME)', parseNonEmpty)
    .option('--task-cap <n>', 'how many tasks this node runs at once (default 5)', parseTaskCap)
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)', parseNonEmpty)
    .option('--tls-key <file>', 'private key of the TLS certificate (PEM)', parseNonEmpty)
    .option('--comms-port <n>', 'port agents poll on, mutual TLS (default 10943, or $SHOAL_COMMS_PORT)', parsePort)
    .option('--public-comms-url <url>', 'where registering agents are told to poll, e.g. the balancer: https://host:port (default: the registration host on this comms port)', parseNonEmpty)
    .option('--built-in-worker-run-as <account>', 'run scripts on this node as this unprivileged OS account (the node must run as root)', parseNonEmpty)
    .action(async (flags: ConfigFlags) => {
      const config = resolveNodeConfig(flags);
      config.portalDir ??= defaultPortalDir();
      config.agentBundleDir ??= defaultAgentBundleDir();
      const node = await startNode({
        config,
        adminPassword: process.env.SHOAL_ADMIN_PASSWORD,
        onAdminCreated: (generated) => {
          if (generated) {
            process.stdout.write(`\nCreated the administrator. Username: admin  Password: ${generated}\nThis password is shown only once; keep it somewhere safe.\n\n`);
          } else {
            process.stdout.write('Created the administrator "admin" with the password from SHOAL_ADMIN_PASSWORD.\n');
          }
        },
      });
      const local = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${node.config.port}`;
      process.stdout.write(`Shoal node ${config.nodeName} is running at ${local} (database: ${node.shoal.location}); agents' comms port ${node.commsPort}\n`);
      const shutdown = (signal: string) => {
        process.stdout.write(`Received ${signal}; stopping node ${config.nodeName}…\n`);
        setTimeout(() => {
          process.stderr.write('The node did not stop within 10 s; exiting anyway.\n');
          process.exit(1);
        }, STOP_DEADLINE_MS).unref();
        node.stop(`Node ${config.nodeName} shut down (${signal}) while the task was running.`).then(
          () => {
            process.stdout.write('Stopped.\n');
            process.exit(0);
          },
          (err) => {
            process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
