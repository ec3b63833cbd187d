import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const LOOPBACK_NAMES = /^(localhost|[^.]+\.localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

export const isLoopbackHost = (host: string): boolean => LOOPBACK_NAMES.test(host);
const isLoopbackAddress = (address: string): boolean => /^(127\.|::1$|localhost$)/.test(address);

/** `host:port` or `[v6]:port` to the bare host name, lower-cased. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/**
 * The Host names a node answers to. Loopback names always; a node listening only on
 * loopback answers nothing else (a web page on another site that made its own name
 * resolve to 127.0.0.1 — DNS rebinding — gets no answer from the desktop's embedded
 * node); otherwise the configured public URLs' hosts when any are set, plus the machine's
 * own names and addresses; with none configured, any name.
 */
export function allowedHosts(listenHost: string, publicUrls: string[]): ((host: string) => boolean) {
  if (isLoopbackAddress(listenHost)) return isLoopbackHost;
  if (!publicUrls.length) return () => true;
  const own = new Set<string>([os.hostname().toLowerCase(), ...publicUrls.map((u) => new URL(u).hostname.toLowerCase())]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) own.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
  }
  return (host) => isLoopbackHost(host) || own.has(host);
}

/** Refuses requests whose Host header names another site (421), before anything else runs. */
export function registerHostCheck(app: FastifyInstance, listenHost: string, publicUrls: string[]): void {
  const allowed = allowedHosts(listenHost, publicUrls);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.host;
    // HTTP/1.0 health checks (HAProxy's httpchk) send no Host; a rebinding page always does.
    if (!header) return;
    if (!allowed(hostName(header))) {
      throw new ApiError(421, 'HostNotAllowed', `This node does not answer to the name ${hostName(header)}; add its URL to the node's publicUrls.`);
    }
  });
}
