import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { AgentPollBody } from '../contract/targets.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { COMMS_PORT, listenServerOrExplain } from '../nodes/port.js';
import { thumbprintOfDer, type KeyAndCertificate } from './certificates.js';
import { commsErrorBody } from './commsError.js';
import { recordContact } from './contact.js';
import { serveAgentPackage } from './packageDownload.js';
import { targetByThumbprint } from './targetRows.js';
import { claimAgentWork } from './work/claim.js';
import { toWorkItem } from './work/item.js';
import { serveWorkPost } from './work/servePost.js';
import { MAX_POLL_HOLD_MS } from './work/timings.js';
import { AgentWorkWakeups } from './work/wakeups.js';

const DEFAULT_POLL_HOLD_MS = 25_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface CommsServerOptions {
  shoal: ShoalDb;
  certificate: KeyAndCertificate;
  /** Unseals the work's payload for the agent that claimed it. */
  masterKey: Buffer;
  /** The storage paths (changed in place when an operator moves them): packages are served from `packages`. */
  storage: { packages: string };
  host: string;
  port: number;
  nodeName: string;
  logger: Logger;
  /** A target connected for the first time: its first health check is queued; wake the executor. */
  queueChanged(): void;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const data = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }).end(data);
}

async function readJson<T extends TSchema>(req: IncomingMessage, schema: T): Promise<import('@sinclair/typebox').Static<T>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'The body is not JSON.');
  }
  const first = Value.Errors(schema, body).First();
  if (first) throw new HttpError(400, `${first.path || 'body'}: ${first.message}`);
  return body as import('@sinclair/typebox').Static<T>;
}

/**
 * The comms port: HTTPS with mutual TLS where agents poll for work and post heartbeats, log
 * chunks and results. The node presents the cluster's certificate; the agent's certificate
 * must be a registered target's (by thumbprint), checked on every request, so a deleted target
 * is refused at once. Anything else is refused with a log line saying whose certificate it was.
 */
export class CommsServer {
  private server: https.Server | undefined;
  private readonly wakeups: AgentWorkWakeups;
  private readonly stopping = new AbortController();

  constructor(private readonly o: CommsServerOptions) {
    this.wakeups = new AgentWorkWakeups(o.shoal, (err) => o.logger.warn({ err: err.message }, 'agent work listener lost its connection; reconnecting'));
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.o.port;
  }

  async start(): Promise<void> {
    const { logger } = this.o;
    this.wakeups.start();
    const server = https.createServer({ key: this.o.certificate.key, cert: this.o.certificate.cert, requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 65_000 }, (req, res) => {
      this.handle(req, res).catch((err) => {
        if (err instanceof HttpError) return send(res, err.status, commsErrorBody(err.status, err.message));
        logger.warn({ err: (err as Error).message, url: req.url }, 'agent request failed');
        send(res, 503, { error: { code: 'Unavailable', message: 'The node could not serve this request; try again.' } });
      });
    });
    server.requestTimeout = 0;
    server.headersTimeout = 30_000;
    server.on('tlsClientError', (err, socket) => logger.warn({ remote: socket.remoteAddress, err: err.message }, 'refused a TLS connection on the comms port (handshake failed; is the agent pinning another cluster certificate?)'));
    this.server = server;
    await listenServerOrExplain(server, this.o.host, this.o.port, COMMS_PORT);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.wakeups.stop();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    if (!peer?.raw) {
      this.o.logger.warn({ remote: socket.remoteAddress }, 'refused an agent request on the comms port: it presented no client certificate');
      res.setHeader('connection', 'close');
      throw new HttpError(403, 'A client certificate is needed: register this agent first.');
    }
    const thumbprint = thumbprintOfDer(peer.raw);
    const target = await targetByThumbprint(this.o.shoal, thumbprint);
    if (!target) {
      this.o.logger.warn({ remote: socket.remoteAddress, thumbprint }, `refused an agent request on the comms port: certificate ${thumbprint} is not registered to any target`);
      res.setHeader('connection', 'close');
      throw new HttpError(403, `The certificate ${thumbprint} is not registered to any deployment target of this cluster.`);
    }
    const targetId = Number(target.id);
    const path = (req.url ?? '').split('?')[0]!;
    const download = /^\/agent\/packages\/([0-9a-f]{64})$/.exec(path);
    if (req.method === 'GET' && download) {
      const { shoal, masterKey, storage, logger } = this.o;
      const refused = await serveAgentPackage({ shoal, masterKey, packagesRoot: storage.packages, logger }, { id: targetId, name: target.name }, download[1]!, req, res);
      if (refused) throw new HttpError(refused.status, refused.message);
      return;
    }
    if (req.method !== 'POST') throw new HttpError(400, 'The comms port takes POST requests, and GET for a package download.');
    if (path === '/agent/poll') return this.poll(targetId, target.name, await readJson(req, AgentPollBody), res);
    const a = await serveWorkPost(this.o.shoal, this.o.masterKey, targetId, path, await readJson(req, Type.Unknown()));
    return send(res, a.status, a.body);
  }

  /** Holds the poll until work for this target is queued (claimed here) or the hold ends. */
  private async poll(targetId: number, name: string, body: AgentPollBody, res: ServerResponse): Promise<void> {
    const { shoal, nodeName } = this.o;
    if (await recordContact(shoal, targetId, name, body)) this.o.queueChanged();
    const hold = Math.min(body.waitMs ?? DEFAULT_POLL_HOLD_MS, MAX_POLL_HOLD_MS);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const stop = AbortSignal.any([gone.signal, this.stopping.signal]);
    const started = performance.now();
    while (!stop.aborted) {
      const work = await claimAgentWork(shoal, { targetId, limit: body.capacity, nodeName });
      if (work.length) {
        this.o.logger.info({ target: name, work: work.map((w) => Number(w.id)) }, 'handed agent work out');
        return send(res, 200, { work: work.map((w) => toWorkItem(w, this.o.masterKey)) });
      }
      const left = hold - (performance.now() - started);
      if (left <= 0) break;
      await this.wakeups.wait(targetId, left, stop);
    }
    send(res, 200, { work: [] });
  }
}
