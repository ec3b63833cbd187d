import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { NODE_CREDENTIAL_HEADER } from '../auth/nodeCredential.js';
import { fetchRelayedLog } from './logRelay.js';

const listen = async (handler: http.RequestListener) => {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

describe('log relay', () => {
  it('never follows a redirect: the node credential reaches the node that runs the task and nowhere else', async () => {
    const seen: (string | undefined)[] = [];
    const elsewhere = await listen((req, res) => {
      seen.push(req.headers[NODE_CREDENTIAL_HEADER] as string | undefined);
      res.end('log lines');
    });
    const origin = await listen((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/steal` }).end());
    try {
      const answer = await fetchRelayedLog({ origin: origin.url, taskName: 'ServerTasks-1', live: false, credential: 'node-secret', signal: new AbortController().signal });
      assert.equal(answer, undefined, 'a redirect is no answer');
      assert.deepEqual(seen, [], 'the redirect target got no request');
    } finally {
      origin.server.close();
      elsewhere.server.close();
    }
  });
});
