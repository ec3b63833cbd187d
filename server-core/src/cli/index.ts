import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/nodeConfig.js';
import { SHOAL_VERSION } from '../version.js';
import { registerApiKey } from './apiKey.js';
import { registerPackage } from './packagePush.js';
import { registerReleaseAndDeploy } from './releaseDeploy.js';
import { UsageError } from './parse.js';
import { registerRun } from './run.js';
import { registerStorage } from './storage.js';
import { registerMigrate } from './migrate.js';
import { registerNodeJoin } from './nodeJoin.js';
import { registerShowMasterKey } from './showMasterKey.js';

/** Bad arguments exit 2 with one line; failures at run time exit 1 with one line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('shoal')
    .description('Shoal deployment automation server')
    .version(SHOAL_VERSION)
    .showSuggestionAfterError(true)
    // Program options (--version) only before a command, so `release create --version 1.2.3` is the release's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerRun(program);
  registerApiKey(program);
  registerStorage(program);
  registerPackage(program);
  registerReleaseAndDeploy(program);
  registerMigrate(program);
  registerShowMasterKey(program);
  registerNodeJoin(program);
  for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    cmd.exitOverride().configureOutput({ outputError: () => {} });
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code)) process.exit(0);
      if (err.code === 'commander.executeSubCommandAsync') process.exit(err.exitCode);
      process.stderr.write(`shoal: ${err.message.replace(/^error: /, '').split('\n')[0]}\n`);
      process.exit(2);
    }
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`shoal: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`shoal: ${(err as Error).message ?? err}\n`);
    process.exit(1);
  }
}
