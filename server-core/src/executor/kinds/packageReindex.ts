import { reindexPackages } from '../../packages/reindex.js';
import type { TaskKind } from '../taskKind.js';

/** Rebuilds the package index from the files on the packages path and logs the differences. */
export const packageReindex: TaskKind = {
  name: 'PackageReindex',
  permission: 'package.push',

  parseArguments(args) {
    const extra = Object.keys(args);
    if (extra.length) return { error: `arguments.${extra[0]} is not a known argument of PackageReindex` };
    // One re-index at a time in the whole cluster.
    return { description: 'Re-index the built-in package repository', concurrencyTag: 'PackageReindex' };
  },

  async run(ctx) {
    ctx.log.info(`Re-indexing packages in ${ctx.storage.packages}`);
    await reindexPackages(ctx.shoal, ctx.storage.packages, ctx.log, ctx.signal);
  },
};
