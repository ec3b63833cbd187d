/** Jittered exponential backoff: 1 s, 2 s, 4 s … up to 60 s, each delay between half and all of its step. */
export class Backoff {
  private failures = 0;
  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, growing with each failure in a row. */
  next(): number {
    const step = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
