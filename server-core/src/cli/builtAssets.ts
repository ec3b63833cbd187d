import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A folder this repository's build made, relative to the root, when it holds `marker`. */
function built(relative: string, marker: string): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidate = path.resolve(here, '../../..', relative);
  return fs.existsSync(path.join(candidate, marker)) ? candidate : undefined;
}

/** The portal built in this repository (renderer/dist), when it exists. */
export const defaultPortalDir = () => built('renderer/dist', 'index.html');

/** The self-contained agent built in this repository (agent/bundle), when it exists. */
export const defaultAgentBundleDir = () => built('agent/bundle', 'manifest.json');
