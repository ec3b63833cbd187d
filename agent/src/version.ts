import { createRequire } from 'node:module';

/** Set by scripts/bundle.mjs in the self-contained agent, which has no package.json beside it. */
declare const __SHOAL_AGENT_VERSION__: string | undefined;

export const AGENT_VERSION: string =
  typeof __SHOAL_AGENT_VERSION__ === 'string' ? __SHOAL_AGENT_VERSION__ : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
