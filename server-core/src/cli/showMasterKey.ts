import type { Command } from 'commander';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { parseMasterKey, readMasterKey } from '../secrets/masterKey.js';

export function registerShowMasterKey(program: Command): void {
  program
    .command('show-master-key')
    .description("print this node's master key (needed to join more nodes to its cluster)")
    .option('--data-dir <dir>', 'data folder (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .option('--config <file>', 'JSON config file')
    .action(async (flags: { dataDir?: string; config?: string }) => {
      const config = resolveNodeConfig(flags);
      const key = await readMasterKey(config);
      if (!key) throw new Error(`no master key in ${config.dataDir}: start the node once with \`shoal run\`, or set SHOAL_MASTER_KEY`);
      parseMasterKey(key);
      process.stderr.write('Warning: the master key decrypts every sensitive value in the database. Keep it secret and store a copy safely.\n');
      process.stdout.write(`${key}\n`);
    });
}
