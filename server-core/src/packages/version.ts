/**
 * SemVer 2 (major.minor.patch, pre-release, build metadata), plus the fourth "revision"
 * part NuGet packages often carry. Build metadata does not make a different version.
 */
export interface PackageVersion {
  /** As written in the file name. */
  text: string;
  numbers: number[];
  prerelease: string[];
  build: string;
}

const IDENT = '[0-9A-Za-z-]+';
const VERSION = new RegExp(`^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`);

export function parseVersion(text: string): PackageVersion | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const numbers = [m[1], m[2], m[3], m[4]].filter((x) => x !== undefined).map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  const prerelease = m[5] ? m[5].split('.') : [];
  // SemVer: numeric pre-release identifiers have no leading zeros.
  if (prerelease.some((p) => /^\d+$/.test(p) && p.length > 1 && p.startsWith('0'))) return undefined;
  return { text, numbers, prerelease, build: m[6] ?? '' };
}

/** What decides "the same version": 1.2.3.0 = 1.2.3, build metadata ignored, case ignored. */
export function versionKey(v: PackageVersion): string {
  const n = v.numbers.length === 4 && v.numbers[3] === 0 ? v.numbers.slice(0, 3) : v.numbers;
  return n.join('.') + (v.prerelease.length ? `-${v.prerelease.join('.').toLowerCase()}` : '');
}

/** SemVer precedence; a release sorts after its pre-releases. */
export function compareVersions(a: PackageVersion, b: PackageVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (!a.prerelease.length || !b.prerelease.length) return (b.prerelease.length ? 1 : 0) - (a.prerelease.length ? 1 : 0);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d) return Math.sign(d);
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else {
      const d = x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0;
      if (d) return d;
    }
  }
  return 0;
}

export const compareVersionText = (a: string, b: string): number => {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  return compareVersions(x, y);
};
