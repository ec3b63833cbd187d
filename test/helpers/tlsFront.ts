import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SelfSignedCertificate } from './selfSignedCertificate.js';

export interface TlsFront {
  /** https://127.0.0.1:<port> */
  url: string;
  /** HTTP requests that got through the TLS handshake, since start or the last restart. */
  requests(): number;
  /** Listens again on the same port with another certificate (a cluster whose certificate changed). */
  restart(certificate: SelfSignedCertificate): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An HTTPS front in front of a real node, as a TLS-terminating load balancer would be: every
 * request is passed to `targetUrl` and its answer streamed back.
 */
export async function startTlsFront(targetUrl: string, certificate: SelfSignedCertificate): Promise<TlsFront> {
  let count = 0;
  let server: https.Server;
  const listen = (cert: SelfSignedCertificate, port: number) =>
    new Promise<number>((resolve, reject) => {
      count = 0;
      server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
        count++;
        const target = new URL(req.url ?? '/', targetUrl);
        const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        out.once('error', () => res.destroy());
        req.pipe(out);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const port = await listen(certificate, 0);
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => count,
    restart: async (cert) => {
      await close();
      await listen(cert, port);
    },
    stop: close,
  };
}
