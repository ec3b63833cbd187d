import type { PackageRow, PackageSummary } from './records.js';

/** A package version as the API shows it. */
export interface PackageResource {
  id: string;
  spaceId: string;
  packageId: string;
  version: string;
  fileName: string;
  fileExtension: string;
  sizeBytes: number;
  hash: string;
  published: string;
  publishedBy: string | null;
  links: { self: string; raw: string };
}

export function toPackageResource(r: PackageRow): PackageResource {
  const self = `/api/${r.space_id}/packages/${encodeURIComponent(r.package_id)}/versions/${encodeURIComponent(r.version)}`;
  return {
    id: `packages-${r.package_id}.${r.version}`,
    spaceId: r.space_id,
    packageId: r.package_id,
    version: r.version,
    fileName: r.file_name,
    fileExtension: r.file_extension,
    sizeBytes: r.size_bytes,
    hash: r.sha256,
    published: new Date(r.published_at).toISOString(),
    publishedBy: r.published_by,
    links: { self, raw: `${self}/raw` },
  };
}

export function toPackageSummaryResource(s: PackageSummary) {
  return {
    packageId: s.packageId,
    latestVersion: s.latest.version,
    versionCount: s.versionCount,
    totalBytes: s.totalBytes,
    latest: toPackageResource(s.latest),
  };
}
