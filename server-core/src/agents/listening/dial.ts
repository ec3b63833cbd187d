import { once } from 'node:events';
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { Value } from '@sinclair/typebox/value';
import { ListeningFromAgent, type ListeningFromNode, type ListeningGet, type ListeningHello, type ListeningPost } from '../../contract/agentListening.js';
import { thumbprintOfDer, type KeyAndCertificate } from '../certificates.js';
import { FrameSocket } from './frames.js';

const CONNECT_TIMEOUT_MS = 10_000;
const HELLO_TIMEOUT_MS = 10_000;

/** The agent answered with a certificate other than the target's, or refused the cluster's: not retried. */
export class AgentPinError extends Error {}

/** A node's answer to an agent's GET over the channel: status, headers, and the body as a stream. */
export interface ChannelDownload {
  status: number;
  headers: Record<string, string | number>;
  stream?: Readable;
  /** Told how many bytes went out once the transfer ended. */
  sent?(bytes: number): void;
}

/** An open channel to a listening agent, after both sides accepted each other's certificate. */
export interface AgentChannel {
  hello: ListeningHello;
  /** Ends when the connection closes, with why. */
  closed: Promise<string>;
  send(frame: ListeningFromNode): boolean;
  close(): void;
}

/**
 * Dials a listening agent at `address` (https://host:port) presenting the cluster's
 * certificate, and accepts only the certificate whose thumbprint the target registered (no
 * certificate authority takes part; the host name is not what is trusted). Resolves once the
 * agent greets, which it does only after accepting the cluster's certificate. `onPost` answers
 * the agent's posts (heartbeats, log chunks, results) on this connection.
 */
export async function dialAgent(o: {
  address: string;
  thumbprint: string;
  certificate: KeyAndCertificate;
  onPost(post: ListeningPost): Promise<{ status: number; body: unknown }>;
  onGet(get: ListeningGet): Promise<ChannelDownload>;
}): Promise<AgentChannel> {
  const url = new URL(o.address);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port);
  const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, key: o.certificate.key, cert: o.certificate.cert, rejectUnauthorized: false, timeout: CONNECT_TIMEOUT_MS });
  let why = 'the connection closed';
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(why)));
  socket.on('error', (err) => (why = err.message));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
      socket.once('timeout', () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)));
      socket.once('close', () => reject(new Error(why)));
    });
    const raw = socket.getPeerCertificate()?.raw;
    const seen = raw ? thumbprintOfDer(raw) : 'none';
    if (seen !== o.thumbprint.toUpperCase()) {
      throw new AgentPinError(`the agent at ${o.address} presented certificate ${seen}, not the one registered for this target (${o.thumbprint.toUpperCase()}); refused it`);
    }
    socket.setTimeout(0);
    socket.setKeepAlive(true, 10_000);
    let greet: (h: ListeningHello) => void = () => {};
    const greeted = new Promise<ListeningHello>((resolve) => (greet = resolve));
    const frames = new FrameSocket(
      socket,
      (frame) => {
        if (!Value.Check(ListeningFromAgent, frame)) {
          why = 'the agent sent a frame this node does not understand';
          socket.destroy();
          return;
        }
        if (frame.type === 'hello') return greet(frame);
        if (frame.type === 'get') return void streamGet(frame);
        if (frame.type === 'cancel') return void gets.get(frame.ref)?.abort();
        void o.onPost(frame).then(
          (a) => frames.send({ type: 'answer', ref: frame.ref, ...a }),
          () => frames.send({ type: 'answer', ref: frame.ref, status: 503, body: { error: { code: 'Unavailable', message: 'The node could not serve this post; send it again.' } } }),
        );
      },
      (bad) => (why = `the agent sent ${bad}`),
    );
    /** GETs being streamed, by ref: `cancel` stops one. */
    const gets = new Map<number, AbortController>();
    /** The answer's head, its bytes in base64 frames as the socket drains (never ahead of it), then the end. */
    const streamGet = async (get: ListeningGet) => {
      const { ref } = get;
      const stop = new AbortController();
      gets.set(ref, stop);
      let answer: ChannelDownload | undefined;
      let sent = 0;
      try {
        answer = await o.onGet(get);
        frames.send({ type: 'head', ref, status: answer.status, headers: answer.headers });
        for await (const chunk of answer.stream ?? []) {
          if (stop.signal.aborted || socket.destroyed) break;
          frames.send({ type: 'data', ref, chunk: (chunk as Buffer).toString('base64') });
          sent += (chunk as Buffer).length;
          if (socket.writableNeedDrain) await Promise.race([once(socket, 'drain'), closed]);
        }
        frames.send({ type: 'end', ref });
      } catch (err) {
        frames.send({ type: 'end', ref, error: (err as Error).message });
      } finally {
        gets.delete(ref);
        answer?.stream?.destroy();
        answer?.sent?.(sent);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const closedFirst = closed.then(() => {
      throw new AgentPinError(`the agent at ${o.address} closed the connection before greeting: it refused this cluster's certificate (it pins another cluster's), or it is not a Shoal listening agent`);
    });
    closedFirst.catch(() => {});
    const hello = await Promise.race([
      greeted,
      closedFirst,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the agent at ${o.address} did not greet within ${HELLO_TIMEOUT_MS / 1000} s`)), HELLO_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    return { hello, closed, send: (f) => frames.send(f), close: () => frames.close() };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
