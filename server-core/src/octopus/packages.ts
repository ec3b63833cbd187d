import { badRequest } from '../api/errors.js';
import type { NodeContext } from '../nodeContext.js';
import type { PackageRow } from '../packages/records.js';
import { receiveUpload, type ExistingVersion } from '../packages/upload.js';
import type { OctopusHandler } from './dialect.js';
import { octopusQuery } from './query.js';

/** `overwriteMode`, any case. */
const MODES: Record<string, ExistingVersion> = { failifexists: 'fail', overwriteexisting: 'replace', ignoreifexists: 'ignore' };

/** A stored package version as Octopus answers an upload (the Go CLI decodes it). */
export const toOctopusPackage = (r: PackageRow) => ({
  Id: `packages-${r.package_id}.${r.version}`,
  PackageId: r.package_id,
  Version: r.version,
  FeedId: 'feeds-builtin',
  FileExtension: r.file_extension,
  PackageSizeBytes: Number(r.size_bytes),
  Hash: r.sha256,
  Published: new Date(Number(r.published_at)).toISOString(),
  Title: '',
  Summary: '',
  Description: '',
  ReleaseNotes: '',
  Links: { Self: `/api/${r.space_id}/packages/${encodeURIComponent(r.package_id)}/versions/${encodeURIComponent(r.version)}` },
});

/**
 * `POST /api/{spaceId}/packages/raw?overwriteMode=…` from Octopus's clients: the file in any part
 * (`fileToUpload` from the TS client, `file` from the Go CLI), streamed like every upload.
 * 201 stored (new or replaced), 200 when `IgnoreIfExists` kept the existing version.
 */
export function octopusUpload(ctx: NodeContext): OctopusHandler {
  return async (req, reply) => {
    const q = octopusQuery(req);
    const mode = q.get('overwriteMode');
    const existing = mode === undefined ? (/^true$/i.test(q.get('replace') ?? '') ? 'replace' : 'fail') : MODES[mode.toLowerCase()];
    if (!existing) throw badRequest(`overwriteMode must be FailIfExists, OverwriteExisting or IgnoreIfExists, not "${mode}"`);
    const { spaceId } = req.params as { spaceId: string };
    const { row, outcome } = await receiveUpload(ctx, req, reply, { spaceId, existing, anyPartName: true });
    reply.status(outcome === 'ignored' ? 200 : 201);
    return toOctopusPackage(row);
  };
}
