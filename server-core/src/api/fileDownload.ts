import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from '../packages/range.js';
import { ApiError } from './errors.js';

/**
 * Streams a file from storage with `Range` support (206 / 416) and a download file name.
 * `whenMissing` is the error to answer when the file is not there.
 */
export async function sendStoredFile(
  req: FastifyRequest,
  reply: FastifyReply,
  o: { file: string; downloadName: string; contentType?: string; whenMissing: ApiError },
): Promise<FastifyReply> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(o.file);
    if (!stat.isFile()) throw new Error('not a file');
  } catch {
    throw o.whenMissing;
  }
  const size = stat.size;
  const range = parseRange(req.headers.range, size);
  reply.header('accept-ranges', 'bytes');
  if (range === 'unsatisfiable') {
    return reply.status(416).type('application/json').header('content-range', `bytes */${size}`).send({
      error: { code: 'RangeNotSatisfiable', message: `The requested range is outside the file (${size} bytes).` },
    });
  }
  reply
    .header('content-type', o.contentType ?? 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${o.downloadName.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(o.downloadName)}`)
    .header('last-modified', stat.mtime.toUTCString());
  if (!range) {
    reply.header('content-length', String(size));
    return reply.status(200).send(req.method === 'HEAD' ? undefined : fs.createReadStream(o.file, { highWaterMark: 1024 * 1024 }));
  }
  reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', String(range.end - range.start + 1));
  return reply
    .status(206)
    .send(req.method === 'HEAD' ? undefined : fs.createReadStream(o.file, { start: range.start, end: range.end, highWaterMark: 1024 * 1024 }));
}
