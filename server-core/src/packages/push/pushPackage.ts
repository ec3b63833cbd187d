import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { PackageNameError, parsePackageFileName } from '../fileName.js';
import { alreadyExistsMessage } from '../receive.js';

export interface PushOptions {
  file: string;
  /** Base URL of a node or of the load balancer in front of the cluster. */
  server: string;
  apiKey: string;
  space: string;
  replace: boolean;
  /** Bytes of the file sent so far. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export class PushError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Whether the server already holds this version. Asked before uploading without --replace,
 * so a duplicate is reported with the server's own message instead of after streaming the
 * file (the server refuses it early and closes the connection, which a client still
 * writing may only see as a reset). A name the server would refuse is left to the upload.
 */
async function existingVersion(o: PushOptions, base: string): Promise<string | undefined> {
  let name;
  try {
    name = parsePackageFileName(path.basename(o.file));
  } catch (err) {
    if (err instanceof PackageNameError) return undefined;
    throw err;
  }
  const url = new URL(
    `api/${encodeURIComponent(o.space)}/packages/${encodeURIComponent(name.packageId)}/versions/${encodeURIComponent(name.version.text)}`,
    base,
  );
  const res = await fetch(url, { headers: { 'x-api-key': o.apiKey, accept: 'application/json' }, signal: o.signal }).catch(() => undefined);
  await res?.arrayBuffer();
  return res?.status === 200 ? alreadyExistsMessage(name, o.space) : undefined;
}

/**
 * Streams a package file to `POST /api/{space}/packages/raw` as multipart/form-data with
 * an exact Content-Length (so proxies need not buffer), never holding it in memory.
 * Resolves with the server's package resource.
 */
export async function pushPackage(o: PushOptions): Promise<Record<string, unknown>> {
  const size = (await fs.promises.stat(o.file)).size;
  const boundary = `----shoal${crypto.randomBytes(12).toString('hex')}`;
  const name = path.basename(o.file).replace(/["\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const base = o.server.endsWith('/') ? o.server : `${o.server}/`;
  const url = new URL(`api/${encodeURIComponent(o.space)}/packages/raw${o.replace ? '?replace=true' : ''}`, base);
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) throw new PushError(0, `--server must be an http:// or https:// URL, got ${o.server}`);
  const duplicate = o.replace ? undefined : await existingVersion(o, base);
  if (duplicate) throw new PushError(409, duplicate);

  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      signal: o.signal,
      headers: {
        'x-api-key': o.apiKey,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + size + tail.length),
        accept: 'application/json',
      },
    });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('error', (err) => fail(new PushError(0, `cannot upload to ${url.origin}: ${err.message}`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (settled) return;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (res.statusCode === 201 || res.statusCode === 200) {
          settled = true;
          resolve(body ?? {});
          return;
        }
        const message = body?.error?.message ?? `the server answered ${res.statusCode} ${res.statusMessage ?? ''}`.trim();
        fail(new PushError(res.statusCode ?? 0, message));
      });
    });
    req.write(head);
    let sent = 0;
    const stream = fs.createReadStream(o.file, { highWaterMark: 1024 * 1024 });
    stream.on('data', (chunk) => {
      sent += chunk.length;
      o.onProgress?.(sent, size);
      if (!req.write(chunk)) {
        stream.pause();
        req.once('drain', () => stream.resume());
      }
    });
    stream.on('error', (err) => {
      req.destroy();
      fail(new PushError(0, `cannot read ${o.file}: ${err.message}`));
    });
    stream.on('end', () => req.end(tail));
  });
}
