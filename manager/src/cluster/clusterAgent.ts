/**
 * The HTTP(S) agent of one connection. For https with a pinned certificate, the TLS handshake
 * is made here and the socket handed to the request only once the server's certificate has the
 * pinned thumbprint: nothing (not the API key) is sent to a server that shows another one.
 * Without a pin, Node's usual verification against the system's authorities applies.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { describeTlsProblem } from './certificates.js';
import { ClusterError } from './clusterError.js';

export interface AgentOptions {
  pinnedCertificate: string | null;
  keepAlive: boolean;
}

type Callback = (err: Error | null, stream: Duplex) => void;

class PinningAgent extends https.Agent {
  constructor(
    readonly pin: string,
    keepAlive: boolean,
  ) {
    // No TLS session reuse: every socket shows its certificate and is checked.
    super({ keepAlive, maxCachedSessions: 0, rejectUnauthorized: false });
  }

  override createConnection(options: https.RequestOptions, callback?: Callback): Duplex | null | undefined {
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    const fail = (err: Error) => {
      socket.destroy();
      callback?.(err, socket);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.removeListener('error', fail);
      const seen = socket.getPeerCertificate().fingerprint256;
      if (seen !== this.pin) {
        return fail(
          new ClusterError(
            'CertificateChanged',
            `The cluster's certificate has changed: it was confirmed as ${this.pin} and is now ${seen}. ` +
              'Nothing was sent. If the cluster got a new certificate, check its thumbprint with its administrator and confirm it again in the connection.',
          ),
        );
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

export function clusterAgent(url: string, o: AgentOptions): http.Agent {
  if (new URL(url).protocol === 'http:') return new http.Agent({ keepAlive: o.keepAlive });
  if (o.pinnedCertificate) return new PinningAgent(o.pinnedCertificate, o.keepAlive);
  return new https.Agent({ keepAlive: o.keepAlive });
}

/** A TLS verification failure of an unpinned https connection, in words. */
export function tlsErrorOf(err: unknown): ClusterError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (!code || !/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code)) return undefined;
  return new ClusterError('Tls', `${describeTlsProblem(code)} Test the connection to see the certificate; a self-signed one can be confirmed and pinned.`);
}
