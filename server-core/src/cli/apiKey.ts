import type { Command } from 'commander';
import { createApiKey } from '../auth/apiKeys.js';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { parseNonEmpty } from './parse.js';

export function registerApiKey(program: Command): void {
  const apiKey = program.command('api-key').description('manage API keys for automation');
  apiKey
    .command('create')
    .description("create an API key for the administrator and print it (shown once)")
    .requiredOption('--name <name>', 'what the key is for', parseNonEmpty)
    .option('--data-dir <dir>', 'data folder (default: $SHOAL_DATA_DIR or ~/.shoal)')
    .option('--config <file>', 'JSON config file')
    .option('--user <username>', 'user the key acts as', 'admin')
    .action(async (flags: { name: string; dataDir?: string; config?: string; user: string }) => {
      const config = resolveNodeConfig({ dataDir: flags.dataDir, config: flags.config });
      const shoal = await openDatabase(config.databaseUrl);
      try {
        await migrateToLatest(shoal);
        const user = await shoal.db.selectFrom('users').select('id').where('username', '=', flags.user).executeTakeFirst();
        if (!user) throw new Error(`there is no user "${flags.user}" in ${shoal.location}; start the node once with \`shoal run\` to create the administrator`);
        const { key } = await createApiKey(shoal, Number(user.id), flags.name);
        process.stderr.write(`Created API key "${flags.name}" for ${flags.user}. It is shown only once:\n`);
        process.stdout.write(`${key}\n`);
      } finally {
        await shoal.close();
      }
    });
}
