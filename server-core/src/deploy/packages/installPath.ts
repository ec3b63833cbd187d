import fs from 'node:fs';
import path from 'node:path';

const folderName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** `<applications>/<environment>/<package>/<version>`, with `_2`, `_3`… when an earlier deployment left that folder. */
export function defaultInstallPath(root: string, environment: string, packageId: string, version: string): string {
  const base = path.join(root, folderName(environment), folderName(packageId), folderName(version));
  let candidate = base;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
}
