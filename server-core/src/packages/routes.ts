import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { ApiError, notFound } from '../api/errors.js';
import { sendStoredFile } from '../api/fileDownload.js';
import { recordEvent } from '../audit/events.js';
import { packageEndpoints } from '../contract/packages.js';
import { spaceFolder } from './packageFiles.js';
import { deletePackageRow, findPackage, listPackageSummaries, listVersions, type PackageRow } from './records.js';
import { toPackageResource, toPackageSummaryResource } from './resource.js';
import { receiveUpload } from './upload.js';
import { spaceExists } from './spaces.js';
import { parseVersion, versionKey } from './version.js';
import { storageFs } from '../storage/storageFs.js';
import { isStorageError, type StorageCallError } from '../storage/storageIo.js';

/** Buffer of the multipart parser and of the file stream it hands out: bounded, so memory stays flat. */
const STREAM_BUFFER = 1024 * 1024;

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
      async (req, reply) => {
        const { row } = await receiveUpload(ctx, req, reply, { spaceId: req.params.spaceId, existing: req.query.replace ? 'replace' : 'fail' });
        return reply.status(201).send(toPackageResource(row));
      },
    );
  });

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
      if (!(await deletePackageRow(ctx.shoal, row.id))) return reply.status(204).send(null);
      // Deleting again would find no record: a file the storage keeps is said, not retried.
      let fileLeft: StorageCallError | undefined;
      try {
        await storageFs.rm(path.join(spaceFolder(ctx.config.storage.packages, row.space_id), row.file_name));
      } catch (err) {
        if (!isStorageError(err)) throw err;
        req.log.warn({ err, package: row.file_name }, 'package record deleted, its file was not');
        fileLeft = err;
      }
      await recordEvent(ctx.shoal, {
        username: req.user!.username,
        action: 'package.delete',
        target: `${row.space_id}/${row.package_id}.${row.version}`,
        ...(fileLeft ? { details: { fileLeft: row.file_name } } : {}),
        clientIp: req.ip,
      });
      if (fileLeft) {
        throw new ApiError(503, 'StorageUnavailable',
          `${row.package_id} ${row.version} is deleted from the index, but its file ${row.file_name} could not be removed from the packages storage (${fileLeft.publicReason}); remove it there, or a PackageReindex will list it again.`);
      }
      return reply.status(204).send(null);
    },
  );
};
