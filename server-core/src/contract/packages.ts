import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PagingFields, Timestamp } from './common.js';

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

export const SpaceParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }) });
export const PackageParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }), packageId: Type.String({ minLength: 1, maxLength: 100 }) });
export const VersionParams = Type.Object({
  spaceId: Type.String({ minLength: 1, maxLength: 50 }),
  packageId: Type.String({ minLength: 1, maxLength: 100 }),
  version: Type.String({ minLength: 1, maxLength: 200 }),
});
export const UploadQuery = Type.Object({ replace: Type.Boolean({ default: false, description: 'Replace an existing version (needs the right to delete it).' }) }, { additionalProperties: false });
export const PackageListQuery = Type.Object({ filter: Type.Optional(Type.String({ maxLength: 100 })), ...PagingFields }, { additionalProperties: false });
