import fs from 'node:fs';
import type { Command } from 'commander';
import { clusterStoragePaths, setClusterStoragePaths } from '../storage/clusterStorage.js';
import { checkStorage, checkStoragePath, STORAGE_KINDS } from '../storage/paths.js';
import { withDatabase, withDatabaseFlags, type DatabaseFlags } from './databaseFlags.js';
import { storageFromFlags, withStorageFlags, type StorageFlags } from './storageFlags.js';

export function registerStorage(program: Command): void {
  const storage = program.command('storage').description('cluster-wide storage paths (stored in the database, used by every node)');

  const set = withStorageFlags(
    withDatabaseFlags(storage.command('set').description('set storage paths for every node: one shared root, or a path per kind')),
  );
  set.action(async (flags: DatabaseFlags & StorageFlags) => {
    const paths = storageFromFlags(flags, false);
    for (const p of Object.values(paths)) fs.mkdirSync(p, { recursive: true });
    const problems = (await Promise.all(STORAGE_KINDS.filter((k) => paths[k]).map((k) => checkStoragePath(k, paths[k]!)))).filter((c) => !c.ok);
    if (problems.length) throw new Error(problems.map((c) => `${c.kind}: ${c.path} — ${c.problem}`).join('; '));
    await withDatabase(flags, async (shoal) => {
      await setClusterStoragePaths(shoal, paths);
      for (const [kind, p] of Object.entries(paths)) process.stdout.write(`${kind.padEnd(13)} ${p}\n`);
      process.stdout.write('Storage paths saved for the whole cluster; every node must see these same folders.\n');
    });
  });

  withDatabaseFlags(storage.command('show').description('print the storage paths nodes use')).action(async (flags: DatabaseFlags) => {
    await withDatabase(flags, async (shoal, config) => {
      const paths = await clusterStoragePaths(shoal, config.storage);
      for (const c of await checkStorage(paths)) process.stdout.write(`${c.kind.padEnd(13)} ${c.path}${c.ok ? '' : `  (problem: ${c.problem})`}\n`);
    });
  });
}
