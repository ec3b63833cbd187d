import type { NodeContext } from '../nodeContext.js';
import { DEFAULT_SPACE_ID } from '../packages/spaces.js';
import { installationId } from './installation.js';
import { rootLinks } from './links.js';

/**
 * The Octopus version the facade reports: the first with the Executions API (releases/create/v1,
 * deployments/create/untenanted/v1) that the TS client asks for; strict semver, as it requires.
 */
export const OCTOPUS_VERSION = '2022.3.5512';

/** Octopus's fields of the root document `GET /api`, added after Shoal's own (Go's decoder lets the last of `links`/`Links` win). */
export function octopusRootFields(ctx: NodeContext): () => Promise<Record<string, unknown>> {
  let id: string | undefined;
  return async () => {
    id ??= await installationId(ctx.shoal);
    return {
      Application: 'Shoal',
      Version: OCTOPUS_VERSION,
      ApiVersion: '3.0.0',
      ShoalVersion: ctx.version,
      InstallationId: id,
      IsEarlyAccessProgram: false,
      HasLongTermSupport: false,
      Links: rootLinks(DEFAULT_SPACE_ID),
    };
  };
}
