import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, Page, PagingFields, SpaceParams, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';
import { FileDownload } from './tasks.js';

/** One version of a package in the built-in repository. */
export const PackageVersion = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    packageId: Type.String(),
    version: Type.String(),
    fileName: Type.String(),
    fileExtension: Type.String(),
    sizeBytes: Type.Integer(),
    hash: Type.String({ description: 'SHA-256, hex.' }),
    published: Timestamp,
    publishedBy: Nullable(Type.String()),
    links: Type.Object({ self: Type.String(), raw: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type PackageVersion = Static<typeof PackageVersion>;

export const PackageSummary = Type.Object(
  { packageId: Type.String(), latestVersion: Type.String(), versionCount: Type.Integer(), totalBytes: Type.Integer(), latest: PackageVersion },
  { additionalProperties: false },
);
export type PackageSummary = Static<typeof PackageSummary>;

export const PackageSummaryPage = Page(PackageSummary);
export const PackageVersionPage = Page(PackageVersion);

export const PackageParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }), packageId: Type.String({ minLength: 1, maxLength: 100 }) });
export const VersionParams = Type.Object({
  spaceId: Type.String({ minLength: 1, maxLength: 50 }),
  packageId: Type.String({ minLength: 1, maxLength: 100 }),
  version: Type.String({ minLength: 1, maxLength: 200 }),
});
export const UploadQuery = Type.Object({ replace: Type.Boolean({ default: false, description: 'Replace an existing version (needs the right to delete it).' }) }, { additionalProperties: false });
export const PackageListQuery = Type.Object({ filter: Type.Optional(Type.String({ maxLength: 100 })), ...PagingFields }, { additionalProperties: false });

export const packageEndpoints = {
  upload: endpoint({
    method: 'POST',
    url: '/api/:spaceId/packages/raw',
    summary: 'Upload a package (multipart/form-data, the file in the part "file"); streamed, no size limit.',
    params: SpaceParams,
    querystring: UploadQuery,
    response: { 201: PackageVersion },
  }),
  list: endpoint({ method: 'GET', url: '/api/:spaceId/packages', summary: 'Packages with their latest version.', params: SpaceParams, querystring: PackageListQuery, response: { 200: PackageSummaryPage } }),
  versions: endpoint({ method: 'GET', url: '/api/:spaceId/packages/:packageId/versions', summary: "A package's versions.", params: PackageParams, response: { 200: PackageVersionPage } }),
  version: endpoint({ method: 'GET', url: '/api/:spaceId/packages/:packageId/versions/:version', summary: 'One version.', params: VersionParams, response: { 200: PackageVersion } }),
  download: endpoint({ method: 'GET', url: '/api/:spaceId/packages/:packageId/versions/:version/raw', summary: 'The file (Range supported).', params: VersionParams, response: { 200: FileDownload } }),
  remove: endpoint({ method: 'DELETE', url: '/api/:spaceId/packages/:packageId/versions/:version', summary: 'Delete a version.', params: VersionParams, response: { 204: NoContent } }),
};
