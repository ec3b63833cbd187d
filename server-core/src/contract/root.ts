import { Type, type Static } from '@sinclair/typebox';
import { endpoint } from './endpoint.js';

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

export const rootEndpoints = {
  root: endpoint({ method: 'GET', url: '/api', summary: 'What this server is and where its collections are.', response: { 200: RootDocument } }),
  openapi: endpoint({ method: 'GET', url: '/api/openapi.json', summary: 'This document.', response: { 200: OpenApiDocument } }),
  reference: endpoint({ method: 'GET', url: '/api/reference', summary: 'The API reference as a page.', response: { 200: ReferencePage } }),
};
