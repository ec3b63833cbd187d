import type { Command } from 'commander';
import { STORAGE_KINDS, storageUnder, type StoragePaths } from '../storage/paths.js';
import { parseNonEmpty, UsageError } from './parse.js';

export type StorageFlags = Partial<StoragePaths> & { clusterShared?: string };

const FLAG: Record<keyof StoragePaths, string> = {
  packages: '--packages <path>',
  artifacts: '--artifacts <path>',
  taskLogs: '--task-logs <path>',
  imports: '--imports <path>',
  eventExports: '--event-exports <path>',
};

/** `--cluster-shared ROOT` or one option per storage kind. */
export function withStorageFlags(cmd: Command): Command {
  cmd.option('--cluster-shared <root>', 'one shared folder; each kind gets a sub-folder', parseNonEmpty);
  for (const kind of STORAGE_KINDS) cmd.option(FLAG[kind], `folder for ${kind}`, parseNonEmpty);
  return cmd;
}

/** The paths the flags name; `complete` demands every kind (from the root or one by one). */
export function storageFromFlags(flags: StorageFlags, complete: boolean): Partial<StoragePaths> {
  const paths: Partial<StoragePaths> = flags.clusterShared ? storageUnder(flags.clusterShared) : {};
  for (const kind of STORAGE_KINDS) if (flags[kind]) paths[kind] = flags[kind];
  const missing = STORAGE_KINDS.filter((k) => !paths[k]);
  if (complete && missing.length) {
    throw new UsageError(`name --cluster-shared ROOT, or a path for every kind (missing: ${missing.map((k) => FLAG[k].split(' ')[0]).join(', ')})`);
  }
  if (!Object.keys(paths).length) throw new UsageError('name --cluster-shared ROOT or at least one of --packages, --artifacts, --task-logs, --imports, --event-exports');
  return paths;
}
