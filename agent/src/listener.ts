import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { Value } from '@sinclair/typebox/value';
import { thumbprintOfDer, type KeyAndCertificate } from '@shoal/server-core/certificates';
import { ListeningFromNode, type AgentWorkItem, type ListeningFromAgent } from '@shoal/server-core/contract';
import { FrameSocket } from '@shoal/server-core/listening-frames';
import type { CommsAnswer, CommsGetter, CommsPoster } from './comms.js';
import type { PackageDeployer } from './packages/deploy.js';
import type { RangeAnswer } from './packages/download.js';
import { RefusedError, type Say } from './retry.js';
import { AGENT_VERSION } from './version.js';
import { osDescription, runWorkItem } from './work.js';

/** How long a post waits for a node to be connected before it counts as failed (and is retried with backoff). */
const WAIT_FOR_NODE_MS = 2000;
const HEARTBEAT_PATH = /^\/agent\/work\/([^/]+)\/heartbeat$/;
const RESULT_PATH = /^\/agent\/work\/([^/]+)\/result$/;

interface Pending {
  frames: FrameSocket;
  resolve(a: CommsAnswer): void;
  reject(err: Error): void;
}

/** A GET under way over a connection: its head, body bytes and end arrive as frames. */
interface Download {
  frames: FrameSocket;
  head(status: number, headers: Record<string, string | number>): void;
  data(chunk: Buffer): void;
  end(error?: string): void;
  fail(err: Error): void;
}

/**
 * A listening agent: a TLS server on its port that takes connections from the cluster's nodes
 * only (the client certificate must be the pinned cluster certificate; anything else is refused
 * with a log line) and presents the agent's own certificate, whose thumbprint the cluster
 * registered. A node hands work over a connection; the work runs with the same runner as a
 * polling agent's, and its posts (heartbeats, log chunks, result) go back over the newest open
 * connection, from whichever node dialed — waiting, with the runner's backoff, while none is.
 * Work whose heartbeats reach no node for longer than its lease is ended: the cluster has
 * given it up, so it is never left running unseen. Packages come over the same connection
 * (`get`), since the agent may have no way to reach a node itself.
 */
export class ListeningAgent implements CommsPoster, CommsGetter {
  private server: tls.Server | undefined;
  private readonly connections: FrameSocket[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Map<number, Pending>();
  private readonly downloads = new Map<number, Download>();
  private nextRef = 0;
  private readonly running = new Map<string, Promise<void>>();
  /** Per piece of work: when a heartbeat last reached a node, and its lease. */
  private readonly beats = new Map<string, { at: number; leaseMs: number }>();
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(private readonly o: { identity: KeyAndCertificate; clusterThumbprint: string; port: number; host?: string; workRoot: string; packages?: PackageDeployer; say: Say }) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.o.port;
  }

  async start(): Promise<void> {
    const { say } = this.o;
    const pinned = this.o.clusterThumbprint.toUpperCase();
    const server = tls.createServer({ key: this.o.identity.key, cert: this.o.identity.cert, requestCert: true, rejectUnauthorized: false }, (socket) => {
      const raw = socket.getPeerCertificate()?.raw;
      const seen = raw ? thumbprintOfDer(raw) : undefined;
      if (seen !== pinned) {
        say(`refused a connection from ${socket.remoteAddress}: it presented ${seen ? `certificate ${seen}` : 'no certificate'}, not the pinned cluster certificate ${pinned}`);
        socket.destroy();
        return;
      }
      this.accept(socket);
    });
    server.on('tlsClientError', (err, socket) => say(`refused a TLS connection from ${socket.remoteAddress}: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(err.code === 'EADDRINUSE' ? `port ${this.o.port} is in use: is another agent running? register with another --listen-port` : `cannot listen on port ${this.o.port}: ${err.message}`);
    });
    this.server = server;
  }

  private accept(socket: tls.TLSSocket): void {
    const { say } = this.o;
    const remote = socket.remoteAddress;
    const frames: FrameSocket = new FrameSocket(
      socket,
      (frame) => {
        if (!Value.Check(ListeningFromNode, frame)) {
          say(`a node at ${remote} sent a frame this agent does not understand; closing the connection`);
          socket.destroy();
          return;
        }
        if (frame.type === 'answer') {
          const p = this.pending.get(frame.ref);
          this.pending.delete(frame.ref);
          p?.resolve({ status: frame.status, body: frame.body });
        } else if (frame.type === 'head') this.downloads.get(frame.ref)?.head(frame.status, frame.headers);
        else if (frame.type === 'data') this.downloads.get(frame.ref)?.data(Buffer.from(frame.chunk, 'base64'));
        else if (frame.type === 'end') this.downloads.get(frame.ref)?.end(frame.error);
        else this.take(frame.item);
      },
      (bad) => say(`a node at ${remote} sent ${bad}; closing the connection`),
    );
    socket.setKeepAlive(true, 10_000);
    socket.on('error', () => {});
    socket.once('close', () => {
      this.connections.splice(this.connections.indexOf(frames), 1);
      for (const [ref, p] of this.pending) {
        if (p.frames !== frames) continue;
        this.pending.delete(ref);
        p.reject(new Error('the node closed the connection'));
      }
      for (const d of [...this.downloads.values()]) if (d.frames === frames) d.fail(new Error('the node closed the connection'));
    });
    this.connections.push(frames);
    for (const w of [...this.waiters]) w();
    const hello: ListeningFromAgent = { type: 'hello', agentVersion: AGENT_VERSION, os: osDescription() };
    frames.send(hello);
  }

  /** Work a node handed over: run it, unless it is already running (handed over once; a repeat is ignored). */
  private take(item: AgentWorkItem): void {
    if (this.running.has(item.id) || this.stopped) return;
    this.o.say(`${item.id}: received ${item.kind} work`);
    this.beats.set(item.id, { at: performance.now(), leaseMs: item.leaseMs });
    const packages = this.o.packages && { ...this.o.packages, client: this };
    const run = runWorkItem(item, { client: this, workRoot: this.o.workRoot, packages, say: this.o.say, stopped: () => this.stopped, stopSignal: this.stopping.signal }).finally(() => {
      this.running.delete(item.id);
      this.beats.delete(item.id);
    });
    this.running.set(item.id, run);
  }

  /** The newest open connection, waiting up to `ms` for a node to dial. */
  private async connection(ms: number): Promise<FrameSocket | undefined> {
    if (!this.connections.length) {
      let done = () => {};
      await new Promise<void>((resolve) => {
        const timer = setTimeout((done = () => (clearTimeout(timer), this.waiters.delete(done), resolve())), ms);
        this.waiters.add(done);
      });
    }
    return this.connections.at(-1);
  }

  async post(path: string, body: unknown, timeoutMs: number): Promise<CommsAnswer> {
    const beat = HEARTBEAT_PATH.exec(path)?.[1];
    const last = beat === undefined ? undefined : this.beats.get(beat);
    if (last && performance.now() - last.at > last.leaseMs) {
      throw new RefusedError(`no node reached this agent for ${Math.round((performance.now() - last.at) / 1000)} s, longer than the work's lease: the cluster has given it up`);
    }
    const frames = await this.connection(Math.min(WAIT_FOR_NODE_MS, timeoutMs));
    if (!frames) throw new Error('no node of the cluster is connected to this listening agent; waiting for one to dial');
    const ref = this.nextRef++;
    const answer = await new Promise<CommsAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error(`no answer from the node within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(ref, { frames, resolve: (a) => (clearTimeout(timer), resolve(a)), reject: (e) => (clearTimeout(timer), reject(e)) });
      if (!frames.send({ type: 'post', ref, path, body })) this.pending.get(ref)?.reject(new Error('the node closed the connection'));
    });
    const current = beat === undefined ? undefined : this.beats.get(beat);
    if (current && answer.status >= 200 && answer.status < 300) current.at = performance.now();
    if (RESULT_PATH.test(path) && answer.status < 300) this.beats.delete(RESULT_PATH.exec(path)![1]!);
    return answer;
  }

  /**
   * A GET over the newest connection (a package download): resolves with the head, then the
   * body streams as data frames arrive. The connection's socket pauses while the body is not
   * read, so a slow disk holds the node back instead of filling memory. A silence longer than
   * `timeoutMs`, the connection closing or `signal` ends it (and tells the node to stop).
   */
  async get(path: string, headers: Record<string, string>, signal?: AbortSignal, timeoutMs = 60_000): Promise<RangeAnswer> {
    signal?.throwIfAborted();
    const frames = await this.connection(WAIT_FOR_NODE_MS);
    if (!frames) throw new Error('no node of the cluster is connected to this listening agent; waiting for one to dial');
    const ref = this.nextRef++;
    const body = new PassThrough();
    // Its reader sees errors through its own listeners; one that never attached (a refusal it
    // only resumes) must not crash the agent.
    body.on('error', () => {});
    return new Promise<RangeAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const quiet = () => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(new Error(`no data from the node for ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      };
      const finish = () => {
        clearTimeout(timer);
        this.downloads.delete(ref);
        signal?.removeEventListener('abort', onAbort);
        frames.socket.resume();
      };
      const fail = (err: Error) => {
        if (!this.downloads.has(ref)) return;
        finish();
        frames.send({ type: 'cancel', ref });
        reject(err);
        body.destroy(err);
      };
      const onAbort = () => fail(signal!.reason instanceof Error ? signal!.reason : new Error('the download was stopped'));
      // A reader that stops (its disk failed) ends the transfer and frees the connection at once.
      body.once('close', () => fail(new Error('the download was stopped by its reader')));
      this.downloads.set(ref, {
        frames,
        head: (status, h) => {
          quiet();
          resolve({ status, headers: Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)])), body });
        },
        data: (chunk) => {
          quiet();
          if (!body.write(chunk)) {
            frames.socket.pause();
            body.once('drain', () => frames.socket.resume());
          }
        },
        end: (error) => {
          if (error) return fail(new Error(`the node could not send it: ${error}`));
          finish();
          reject(new Error('the node ended the answer before its head'));
          body.end();
        },
        fail,
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      quiet();
      if (!frames.send({ type: 'get', ref, path, headers })) fail(new Error('the node closed the connection'));
    });
  }

  /**
   * Takes no more connections or work and ends running scripts (their process trees); their
   * results go to a node still connected within `graceMs`.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.server?.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const c of [...this.connections]) c.socket.destroy();
  }
}
