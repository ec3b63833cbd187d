import fs from 'node:fs';

/**
 * better-sqlite3's compiled addon for this runtime. The default build under node_modules
 * serves the machine's Node; a run under another Node major (CI's Node 24 pass) points
 * SHOAL_SQLITE_NATIVE_BINDING at an addon built for it, kept apart from the default one.
 */
export function sqliteNativeBinding(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.SHOAL_SQLITE_NATIVE_BINDING;
  if (!file) return undefined;
  if (!fs.existsSync(file)) throw new Error(`SHOAL_SQLITE_NATIVE_BINDING names ${file}, which does not exist`);
  return file;
}
