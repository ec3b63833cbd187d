/**
 * The one API contract: TypeBox schemas of every request and response of the native API,
 * with their TypeScript types. Imported by the node's routes, the portal, the manager and
 * the agent; depends on TypeBox only.
 */
export * from './activities.js';
export * from './common.js';
export * from './configuration.js';
export * from './deployments.js';
export * from './endpoint.js';
export * from './environments.js';
export * from './events.js';
export * from './migration.js';
export * from './nodes.js';
export * from './octopus.js';
export * from './packages.js';
export * from './projects.js';
export * from './releases.js';
export * from './root.js';
export * from './runbooks.js';
export * from './tasks.js';
export * from './users.js';
export * from './targets.js';
export * from './agentListening.js';
export * from './agentDownload.js';
