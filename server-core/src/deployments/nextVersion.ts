/**
 * The version after `last`: its last number incremented (1.2.3 → 1.2.4, 1.0.0-beta.9 →
 * 1.0.0-beta.10, build-41 → build-42); a project's first release is 0.0.1.
 */
export function nextVersion(last: string | undefined): string {
  if (!last) return '0.0.1';
  const m = /^(.*?)(\d+)(\D*)$/.exec(last);
  if (!m) return `${last}.1`;
  return `${m[1]}${BigInt(m[2]!) + 1n}${m[3]}`;
}
