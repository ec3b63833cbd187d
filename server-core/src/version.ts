import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The version of this build, which every node of a cluster must share. */
export const SHOAL_VERSION: string = (require('../package.json') as { version: string }).version;
