import type { Command } from 'commander';
import { createApiKey } from '../auth/apiKeys.js';
import { withDatabase, withDatabaseFlags, type DatabaseFlags } from './databaseFlags.js';
import { parseNonEmpty } from './parse.js';

export function registerApiKey(program: Command): void {
  const apiKey = program.command('api-key').description('manage API keys for automation');
  const create = apiKey
    .command('create')
    .description("create an API key for the administrator and print it (shown once)")
    .requiredOption('--name <name>', 'what the key is for', parseNonEmpty)
    .option('--user <username>', 'user the key acts as', 'admin');
  withDatabaseFlags(create).action(async (flags: DatabaseFlags & { name: string; user: string }) => {
      await withDatabase(flags, async (shoal) => {
        const user = await shoal.db.selectFrom('users').select('id').where('username', '=', flags.user).executeTakeFirst();
        if (!user) throw new Error(`there is no user "${flags.user}" in ${shoal.location}; start the node once with \`shoal run\` to create the administrator`);
        const { key } = await createApiKey(shoal, Number(user.id), flags.name);
        process.stderr.write(`Created API key "${flags.name}" for ${flags.user}. It is shown only once:\n`);
        process.stdout.write(`${key}\n`);
      });
    });
}
