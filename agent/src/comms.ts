import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { thumbprintOfDer, type KeyAndCertificate } from '@shoal/server-core/certificates';
import type { RangeAnswer } from './packages/download.js';

export interface CommsAnswer {
  status: number;
  body: unknown;
}

/** Where an agent's posts about its work go: the comms port (polling), or the connection a node opened (listening). */
export interface CommsPoster {
  post(path: string, body: unknown, timeoutMs: number): Promise<CommsAnswer>;
}

/** Where an agent's GETs go (a package download): the comms port, or the connection a node opened. */
export interface CommsGetter {
  /** `timeoutMs` is the longest silence. */
  get(path: string, headers: Record<string, string>, signal?: AbortSignal, timeoutMs?: number): Promise<RangeAnswer>;
}

/** A server certificate other than the pinned one: never retried quietly. */
export class PinMismatchError extends Error {}

/**
 * JSON posts to the cluster's comms port over mutual TLS: the agent shows its own certificate
 * and accepts only the cluster certificate it pinned at registration (whatever the host name:
 * the balancer's address or any node's).
 */
export class CommsClient implements CommsPoster, CommsGetter {
  private readonly agent: https.Agent;

  constructor(
    private readonly baseUrl: string,
    identity: KeyAndCertificate,
    clusterCertificate: string,
    private readonly clusterThumbprint: string,
  ) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      key: identity.key,
      cert: identity.cert,
      ca: clusterCertificate,
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        const seen = thumbprintOfDer(cert.raw);
        return seen === this.clusterThumbprint.toUpperCase() ? undefined : new PinMismatchError(`the server presented certificate ${seen}, not the pinned cluster certificate ${this.clusterThumbprint}`);
      },
    });
  }

  post(path: string, body: unknown, timeoutMs: number): Promise<CommsAnswer> {
    const data = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.baseUrl), { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': data.length }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON: kept as text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.baseUrl} within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', (err) => reject(pinError(err)));
      req.end(data);
    });
  }

  /** A GET whose body is handed over as a stream (a package download); `timeoutMs` is the longest silence. */
  get(path: string, headers: Record<string, string>, signal?: AbortSignal, timeoutMs = 60_000): Promise<RangeAnswer> {
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.baseUrl), { method: 'GET', agent: this.agent, headers, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.on('timeout', () => req.destroy(new Error(`no data from ${this.baseUrl} for ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', (err) => reject(pinError(err)));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** TLS reports a foreign self-signed certificate as a chain error; say what it means. */
function pinError(err: Error & { code?: string }): Error {
  if (err instanceof PinMismatchError) return err;
  if (err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new PinMismatchError(`the server's certificate is not the pinned cluster certificate (${err.message}); refusing to talk to it`);
  }
  return err;
}

/** The message of an answer's text: the API's error shape when it is one, else the start of the text. */
export function messageOfErrorText(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

export function answerError(a: CommsAnswer): string {
  const e = (a.body as { error?: { message?: string } } | null)?.error;
  return e?.message ?? `HTTP ${a.status}${typeof a.body === 'string' && a.body ? `: ${a.body.slice(0, 200)}` : ''}`;
}
