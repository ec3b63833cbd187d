/**
 * The one API contract: TypeBox schemas of every request and response of the native API,
 * with their TypeScript types. Imported by the node's routes, the portal, the manager and
 * the agent; depends on TypeBox only.
 */
export * from './common.js';
export * from './events.js';
export * from './deployments.js';
export * from './releases.js';
export * from './runbooks.js';
