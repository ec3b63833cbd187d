import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The manager's version (its package.json; it ships with the node of the same version). */
export const MANAGER_VERSION: string = (require('../package.json') as { version: string }).version;
