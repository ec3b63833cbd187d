import { Type, type Static } from '@sinclair/typebox';

/** GET /api: what this server is and where its main collections are. */
export const RootDocument = Type.Object(
  {
    application: Type.String(),
    version: Type.String({ description: "Shoal's own version." }),
    apiVersion: Type.String(),
    links: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: true, description: 'The Octopus-compatible facade adds its own fields to this same document.' },
);
export type RootDocument = Static<typeof RootDocument>;

export const OpenApiDocument = Type.Object({}, { additionalProperties: true, description: 'The OpenAPI 3.0 document of this API.' });
export const ReferencePage = Type.String({ description: 'text/html: the API reference, readable.' });
