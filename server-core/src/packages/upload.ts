import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NodeContext } from '../nodeContext.js';
import { ApiError, badRequest, conflict, forbidden, notFound } from '../api/errors.js';
import { recordEvent } from '../audit/events.js';
import { isStorageError } from '../storage/storageIo.js';
import { PackageNameError, parsePackageFileName } from './fileName.js';
import { alreadyExistsMessage, PackageExistsError, receivePackage, StorageFullError } from './receive.js';
import { findPackage, type PackageRow } from './records.js';
import { spaceExists } from './spaces.js';

/** The multipart part that carries the package for native clients. */
export const FILE_PART = 'file';

/** What to do when the version already exists: refuse (409), replace it (the right to delete it), or keep it and store nothing. */
export type ExistingVersion = 'fail' | 'replace' | 'ignore';

export interface UploadOptions {
  spaceId: string;
  existing: ExistingVersion;
  /** Take the file from whichever part carries it (Octopus's clients name it `fileToUpload` or `file`). */
  anyPartName?: boolean;
}

/** `created` (201), `replaced` (201) or `ignored` (200: it existed, nothing was stored). */
export interface UploadResult {
  row: PackageRow;
  outcome: 'created' | 'replaced' | 'ignored';
}

/**
 * Receives one package upload: streamed from socket to the packages path with constant memory,
 * decided (name, space, existing version) before a byte of the file is read.
 */
export async function receiveUpload(ctx: NodeContext, req: FastifyRequest, reply: FastifyReply, o: UploadOptions): Promise<UploadResult> {
  const { spaceId } = o;
  const replace = o.existing === 'replace';
  // Replacing destroys the stored version: the same right as deleting it.
  if (replace && !req.principal!.permissions.has('admin')) throw forbidden('Replacing a package version needs the same right as deleting it: administrator.');
  if (!req.isMultipart()) throw new ApiError(415, 'UnsupportedMediaType', `Send the package as multipart/form-data, in a part named "${FILE_PART}".`);
  // Decided before a byte of the file is read; the connection closes so the rest is not waited for.
  const refuse = (file: Readable | undefined, err: Error): never => {
    reply.header('connection', 'close');
    file?.resume();
    throw err;
  };
  const part = await req.file();
  if (!part) throw badRequest(`The request has no file; send it in a multipart part named "${FILE_PART}".`);
  const file = part.file;
  // A client that goes away mid-upload: fail the stream so the temporary file is removed.
  const onClose = () => {
    if (!req.raw.complete) file.destroy(new Error('The client closed the connection before the upload finished.'));
  };
  req.raw.once('close', onClose);
  // Whether the bytes stopped coming (client gone, form cut short), as opposed to storage or the database failing.
  let sourceFailed = false;
  file.once('error', () => (sourceFailed = true));
  try {
    if (part.fieldname !== FILE_PART && !o.anyPartName) refuse(file, badRequest(`The file must be in a multipart part named "${FILE_PART}", not "${part.fieldname}".`));
    let name;
    try {
      name = parsePackageFileName(part.filename);
    } catch (err) {
      if (err instanceof PackageNameError) refuse(file, badRequest(err.message));
      throw err;
    }
    if (!(await spaceExists(ctx.shoal, spaceId))) refuse(file, notFound(`There is no space ${spaceId}.`));
    const existing = replace ? undefined : await findPackage(ctx.shoal, spaceId, name!.packageKey, name!.versionKey);
    if (existing && o.existing === 'ignore') {
      // Read to the end (and drop), so the client gets its answer on an intact connection.
      for await (const _chunk of file) void _chunk;
      return { row: existing, outcome: 'ignored' };
    }
    if (existing) refuse(file, conflict(alreadyExistsMessage(name!, spaceId)));
    const started = Date.now();
    let received;
    try {
      received = await receivePackage({
        shoal: ctx.shoal,
        packagesRoot: ctx.config.storage.packages,
        spaceId,
        name: name!,
        source: file,
        replace,
        publishedBy: req.user!.username,
      });
    } catch (err) {
      if (err instanceof PackageExistsError) throw conflict(err.message);
      if (err instanceof StorageFullError) {
        reply.header('connection', 'close');
        throw new ApiError(507, 'InsufficientStorage', err.message);
      }
      // The rest of the body is not waited for.
      if (!req.raw.complete) reply.header('connection', 'close');
      if (isStorageError(err)) {
        req.log.warn({ package: part.filename, err }, 'package storage failed during an upload');
        throw new ApiError(503, 'StorageUnavailable', `The packages storage failed: ${err.publicReason}. List the package's versions before trying again.`);
      }
      // The bytes stopped coming: the form was cut short, or the client went away (multipart
      // then ends the file stream without an error, so the copy ends early).
      if (sourceFailed || req.raw.destroyed || (err as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        req.log.info({ package: part.filename, err }, 'package upload did not finish; nothing was kept');
        throw badRequest('The upload did not finish; nothing was stored.');
      }
      throw err;
    }
    const { row, replaced } = received;
    req.log.info({ package: row.file_name, bytes: row.size_bytes, ms: Date.now() - started }, 'package stored');
    await recordEvent(ctx.shoal, {
      username: req.user!.username,
      action: replaced ? 'package.replace' : 'package.push',
      target: `${spaceId}/${row.package_id}.${row.version}`,
      details: { sizeBytes: row.size_bytes, sha256: row.sha256 },
      clientIp: req.ip,
    });
    return { row, outcome: replaced ? 'replaced' : 'created' };
  } finally {
    req.raw.off('close', onClose);
  }
}
