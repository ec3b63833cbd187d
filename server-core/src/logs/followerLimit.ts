/** Live log followers a node serves at once by default (`SHOAL_LOG_FOLLOWERS_MAX` overrides). */
export const DEFAULT_MAX_FOLLOWERS = 200;

/**
 * A cap on live log followers per node: each holds a socket, a file handle and a chunk
 * buffer, and reads storage every poll.
 */
export class FollowerLimit {
  private active = 0;

  constructor(readonly max: number = Number(process.env.SHOAL_LOG_FOLLOWERS_MAX) || DEFAULT_MAX_FOLLOWERS) {}

  get count(): number {
    return this.active;
  }

  /** A release function when there is room, undefined when the node is at its cap. */
  enter(): (() => void) | undefined {
    if (this.active >= this.max) return undefined;
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }
}
