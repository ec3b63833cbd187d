import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request exactly as written (request target, headers, body), over a fresh
 * socket, so no client library normalizes the path first.
 */
export function rawRequest(
  port: number,
  o: { method: string; target: string; headers?: Record<string, string>; body?: string; host?: string },
): Promise<RawResponse> {
  const body = o.body ?? '';
  const headers: Record<string, string> = { host: o.host ?? `127.0.0.1:${port}`, connection: 'close', ...o.headers };
  if (body || ['POST', 'PUT', 'PATCH'].includes(o.method)) headers['content-length'] = String(Buffer.byteLength(body));
  const head = `${o.method} ${o.target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${o.method} ${o.target}`)));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText = '', ...bodyParts] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const parsed = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status, headers: parsed, body: bodyParts.join('\r\n\r\n') });
    });
    socket.write(head + body);
  });
}
