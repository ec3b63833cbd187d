import { Type, type Static } from '@sinclair/typebox';
import { SpaceParams } from './common.js';
import { endpoint } from './endpoint.js';

/**
 * The Octopus-compatible facade: the paths Octopus's public clients (`@octopusdeploy/api-client`,
 * the `octopus` CLI) call that the native API does not have. Octopus's shapes: PascalCase
 * resources, bodies bound whatever their fields' case, query parameters read whatever their
 * case, errors as `{ErrorMessage, Errors}`. The facade checks them itself, so the schemas here
 * are open.
 */
const OctopusResource = Type.Object({}, { additionalProperties: true, description: "An Octopus-shaped resource (PascalCase)." });
const OctopusQuery = Type.Object({}, { additionalProperties: true, description: 'Octopus query parameters (skip, take, ids, partialName, …), any case.' });
const OctopusCommand = Type.Object({}, { additionalProperties: true, description: "An Octopus command; fields bound whatever their case, unknown ones ignored." });
const OctopusList = Type.Array(OctopusResource);

/** The space root, as native clients see it. */
export const SpaceRoot = Type.Object(
  { id: Type.String(), name: Type.String(), isDefault: Type.Boolean(), links: Type.Record(Type.String(), Type.String()) },
  { additionalProperties: false },
);
export type SpaceRoot = Static<typeof SpaceRoot>;

export const octopusEndpoints = {
  listSpaces: endpoint({ method: 'GET', url: '/api/spaces', summary: 'Octopus: spaces (partialName, skip, take).', querystring: OctopusQuery, response: { 200: OctopusResource } }),
  allSpaces: endpoint({ method: 'GET', url: '/api/spaces/all', summary: 'Octopus: every space, as an array.', response: { 200: OctopusList } }),
  spaceRoot: endpoint({ method: 'GET', url: '/api/:spaceId', summary: "A space and its collections' links (Octopus's space root to Octopus clients).", params: SpaceParams, response: { 200: SpaceRoot } }),
};

export { OctopusCommand, OctopusList, OctopusQuery, OctopusResource };
