import type { Duplex } from 'node:stream';

/** The longest frame either side takes (a log chunk of 200 lines of 64 KiB fits). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * One JSON value per line over a socket, both ways: the framing of the channel between a
 * node and a listening agent. Imported by `shoal-agent` too (`@shoal/server-core/listening-frames`),
 * so it depends on nothing else here. A line that is not JSON, or longer than the limit,
 * ends the connection (`onBad` says why).
 */
export class FrameSocket {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(
    readonly socket: Duplex,
    onFrame: (frame: unknown) => void,
    onBad: (why: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const line = Buffer.concat([...this.buffered, chunk.subarray(start, nl)]).toString('utf8');
        this.buffered = [];
        this.size = 0;
        start = nl + 1;
        if (!line.trim()) continue;
        let frame: unknown;
        try {
          frame = JSON.parse(line);
        } catch {
          onBad('a frame that is not JSON');
          socket.destroy();
          return;
        }
        onFrame(frame);
      }
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > MAX_FRAME_BYTES) {
        onBad(`a frame longer than ${MAX_FRAME_BYTES} bytes`);
        socket.destroy();
        return;
      }
      if (rest.length) this.buffered.push(rest);
    });
  }

  /** Writes one frame; false when the socket is gone. */
  send(frame: unknown): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(`${JSON.stringify(frame)}\n`);
    return true;
  }

  /** Ends the connection after what was sent (an answer just written still goes out). */
  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
