import path from 'node:path';
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { ApiError, badRequest, conflict, forbidden, notFound } from '../api/errors.js';
import { sendStoredFile } from '../api/fileDownload.js';
import { recordEvent } from '../audit/events.js';
import { packageEndpoints } from '../contract/packages.js';
import { PackageNameError, parsePackageFileName } from './fileName.js';
import { spaceFolder } from './packageFiles.js';
import { alreadyExistsMessage, PackageExistsError, receivePackage, StorageFullError } from './receive.js';
import { deletePackageRow, findPackage, listPackageSummaries, listVersions, type PackageRow } from './records.js';
import { toPackageResource, toPackageSummaryResource } from './resource.js';
import { spaceExists } from './spaces.js';
import { parseVersion, versionKey } from './version.js';
import { storageFs } from '../storage/storageFs.js';

/** Buffer of the multipart parser and of the file stream it hands out: bounded, so memory stays flat. */
const STREAM_BUFFER = 1024 * 1024;

/** The multipart part that carries the package. */
const FILE_PART = 'file';

/**
 * The built-in package repository: uploads stream to the packages path (no size limit,
 * constant memory), the index lives in the database.
 */
export const packageRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const requireSpace = async (spaceId: string) => {
    if (!(await spaceExists(ctx.shoal, spaceId))) throw notFound(`There is no space ${spaceId}.`);
  };
  const loadVersion = async (p: { spaceId: string; packageId: string; version: string }): Promise<PackageRow> => {
    await requireSpace(p.spaceId);
    const v = parseVersion(p.version);
    const row = v && (await findPackage(ctx.shoal, p.spaceId, p.packageId.toLowerCase(), versionKey(v)));
    if (!row) throw notFound(`There is no package ${p.packageId} version ${p.version} in ${p.spaceId}.`);
    return row;
  };

  // Multipart only in this scope; the rest of the API keeps its 1 MiB JSON limit.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // preservePath: see the name as sent, so `../x.1.0.0.zip` is refused rather than quietly cut to its base name.
    // 1 MiB buffers instead of 16 KiB: far fewer pause/resume turns between socket, parser and disk (about 3× the throughput).
    await scope.register(multipart, {
      limits: { fileSize: Infinity, files: 1, fields: 20, parts: 21 },
      preservePath: true,
      highWaterMark: STREAM_BUFFER,
      fileHwm: STREAM_BUFFER,
    } as Parameters<typeof multipart>[1]);
    scope.post(packageEndpoints.upload.url, { schema: endpointSchema(packageEndpoints.upload), config: { access: 'package.push' } },
      (req, reply) => upload(req, reply, req.params.spaceId, req.query.replace),
    );
  });

  async function upload(req: FastifyRequest, reply: FastifyReply, spaceId: string, replace: boolean) {
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
    try {
      if (part.fieldname !== FILE_PART) refuse(file, badRequest(`The file must be in a multipart part named "${FILE_PART}", not "${part.fieldname}".`));
      let name;
      try {
        name = parsePackageFileName(part.filename);
      } catch (err) {
        if (err instanceof PackageNameError) refuse(file, badRequest(err.message));
        throw err;
      }
      if (!(await spaceExists(ctx.shoal, spaceId))) refuse(file, notFound(`There is no space ${spaceId}.`));
      if (!replace && (await findPackage(ctx.shoal, spaceId, name!.packageKey, name!.versionKey))) {
        refuse(file, conflict(alreadyExistsMessage(name!, spaceId)));
      }
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
        if (!req.raw.complete || req.raw.destroyed) {
          req.log.info({ package: part.filename }, 'package upload abandoned by the client; nothing was kept');
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
      return reply.status(201).send(toPackageResource(row));
    } finally {
      req.raw.off('close', onClose);
    }
  }

  app.get(packageEndpoints.list.url, { schema: endpointSchema(packageEndpoints.list), config: { access: 'read' } },
    async (req) => {
      await requireSpace(req.params.spaceId);
      const { items, total } = await listPackageSummaries(ctx.shoal, req.params.spaceId, req.query);
      return { items: items.map(toPackageSummaryResource), total };
    },
  );

  app.get(packageEndpoints.versions.url, { schema: endpointSchema(packageEndpoints.versions), config: { access: 'read' } }, async (req) => {
    await requireSpace(req.params.spaceId);
    const rows = await listVersions(ctx.shoal, req.params.spaceId, req.params.packageId.toLowerCase());
    if (!rows.length) throw notFound(`There is no package ${req.params.packageId} in ${req.params.spaceId}.`);
    return { items: rows.map(toPackageResource), total: rows.length };
  });

  app.get(packageEndpoints.version.url, { schema: endpointSchema(packageEndpoints.version), config: { access: 'read' } }, async (req) =>
    toPackageResource(await loadVersion(req.params)),
  );

  app.get(packageEndpoints.download.url, { schema: endpointSchema(packageEndpoints.download), config: { access: 'read' } },
    async (req, reply) => {
      const row = await loadVersion(req.params);
      return sendStoredFile(req, reply, {
        root: ctx.config.storage.packages,
        file: path.join(spaceFolder(ctx.config.storage.packages, row.space_id), row.file_name),
        downloadName: row.file_name,
        whenMissing: new ApiError(
          404,
          'NotFound',
          `The file of ${row.package_id} ${row.version} (${row.file_name}) is missing from the packages folder; run the PackageReindex task to bring the index in line.`,
        ),
      });
    },
  );

  app.delete(packageEndpoints.remove.url, { schema: endpointSchema(packageEndpoints.remove), config: { access: 'admin' } },
    async (req, reply) => {
      const row = await loadVersion(req.params);
      // The record goes first: a record without its file must never be left behind.
      if (await deletePackageRow(ctx.shoal, row.id)) {
        await storageFs.rm(path.join(spaceFolder(ctx.config.storage.packages, row.space_id), row.file_name));
      }
      await recordEvent(ctx.shoal, {
        username: req.user!.username,
        action: 'package.delete',
        target: `${row.space_id}/${row.package_id}.${row.version}`,
        clientIp: req.ip,
      });
      return reply.status(204).send(null);
    },
  );
};
