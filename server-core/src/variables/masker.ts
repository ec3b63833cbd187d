export const MASK = '********';

/**
 * Hides sensitive values in text bound for a task log or an error message. A value that
 * spans lines is also hidden line by line, since logs are written a line at a time.
 */
export class Masker {
  private values: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  add(value: string): void {
    const lines = value.includes('\n') ? value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 4) : [];
    const parts = [value, ...lines].filter((p) => p.length > 0);
    const next = new Set([...this.values, ...parts]);
    // Longest first, so a value containing another is hidden whole.
    this.values = [...next].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }
}
