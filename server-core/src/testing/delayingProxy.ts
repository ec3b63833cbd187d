import net from 'node:net';

export interface DelayingProxy {
  port: number;
  /**
   * Holds back the next client→server chunk that contains `marker`, and everything after it on
   * that connection (its end included), for `ms`: as if the network delayed those packets.
   * Meanwhile any other connection that sends `marker` is reset, so only the held one can
   * reach the server. Resolves when the held bytes have been passed on.
   */
  delayNext(marker: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`targetPort` that can delay what a client sends, to lose a statement's answer. */
export async function startDelayingProxy(targetPort: number): Promise<DelayingProxy> {
  let armed: { marker: string; ms: number; passed: () => void } | undefined;
  let holding: string | undefined;
  let holdTimer: NodeJS.Timeout | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    // While held, chunks (and the end) queue up here in order.
    let held: Array<Buffer | 'end'> | undefined;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => {});
    }
    // A side that goes away takes the other with it (once its held bytes are passed on).
    upstream.on('close', () => client.destroy());
    client.on('close', () => (held ? held.push('end') : upstream.end()));
    upstream.on('data', (d) => client.write(d)).on('end', () => client.end());
    client.on('data', (d: Buffer) => {
      if (!held && holding !== undefined && d.includes(holding)) {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (!held && armed && d.includes(armed.marker)) {
        const { marker, ms, passed } = armed;
        armed = undefined;
        holding = marker;
        held = [];
        holdTimer = setTimeout(() => {
          for (const c of held!) if (c === 'end') upstream.end(); else upstream.write(c);
          held = undefined;
          holding = undefined;
          passed();
        }, ms);
      }
      if (held) held.push(d);
      else upstream.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    delayNext: (marker, ms) => new Promise((passed) => (armed = { marker, ms, passed })),
    close: async () => {
      clearTimeout(holdTimer);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
