/**
 * What an agent needs to install a package as the built-in worker does: safe extraction,
 * the default install folder, `#{…}` substitution in files. Pure modules only (no database,
 * no Fastify): `@shoal/server-core/packages` for the agent.
 */
export { extractPackage } from './extractPackage.js';
export { UnsafeEntryError } from './safeExtractor.js';
export { defaultInstallPath } from './installPath.js';
export { findPackageScript, PACKAGE_SCRIPTS, type PackageScriptName } from './packageScripts.js';
export { substituteInFiles } from './substituteFiles.js';
export { substitute } from '../../variables/substitute.js';
