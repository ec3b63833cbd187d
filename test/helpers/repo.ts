import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/repo.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI entry that `npx shoal` runs; it imports server-core/dist, so build first. */
export const SHOAL_BIN = path.join(REPO_ROOT, 'server-core/bin/shoal.js');
