import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The portal built in this repository (renderer/dist), when it exists. */
export function defaultPortalDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidate = path.resolve(here, '../../../renderer/dist');
  return fs.existsSync(path.join(candidate, 'index.html')) ? candidate : undefined;
}
