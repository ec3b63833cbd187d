import { octopusEndpoints } from '../contract/octopus.js';
import { packageEndpoints } from '../contract/packages.js';
import type { NodeContext } from '../nodeContext.js';
import type { SharedRoute } from './dialect.js';
import { octopusUpload } from './packages.js';
import { requireSpaceRow, toOctopusSpace } from './spaces.js';

/** The native paths Octopus's clients also call, and what the facade answers them there. */
export function octopusShared(ctx: NodeContext): SharedRoute[] {
  const { shoal } = ctx;
  return [
    {
      endpoint: octopusEndpoints.spaceRoot,
      octopus: async (req) => toOctopusSpace(await requireSpaceRow(shoal, (req.params as { spaceId: string }).spaceId)),
    },
    { endpoint: packageEndpoints.upload, octopus: octopusUpload(ctx) },
  ];
}
