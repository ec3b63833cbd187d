import { parseVersion, versionKey, type PackageVersion } from './version.js';

export const PACKAGE_EXTENSIONS = ['.nupkg', '.zip', '.tar.gz', '.tgz'] as const;

export interface PackageFileName {
  fileName: string;
  packageId: string;
  version: PackageVersion;
  extension: (typeof PACKAGE_EXTENSIONS)[number];
  /** Lower-cased id: package ids compare without case. */
  packageKey: string;
  versionKey: string;
}

/** Names Windows reserves whatever the extension (CON.1.0.0.zip is the console there). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
/** Letters, digits, `_`, `-`, single dots between; no dot, space or dash at either end. */
const PACKAGE_ID = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]|\.(?=[A-Za-z0-9_-]))*$/;
export const MAX_PACKAGE_ID_LENGTH = 100;

export class PackageNameError extends Error {}

/**
 * `Id.1.2.3.nupkg`, `my.pkg.1.2.3-beta.1+build.7.zip`, `.tar.gz`, `.tgz`. Refuses anything
 * that could name a file outside the packages folder or that Windows cannot hold.
 */
export function parsePackageFileName(fileName: string): PackageFileName {
  if (!fileName) throw new PackageNameError('The file has no name; name it like MyPackage.1.0.0.zip.');
  if (/[\0/\\:*?"<>|]/.test(fileName) || /[\x00-\x1f]/.test(fileName)) {
    throw new PackageNameError(`The file name ${JSON.stringify(fileName)} contains a path separator or a character file names cannot hold.`);
  }
  if (fileName.includes('..')) throw new PackageNameError(`The file name ${JSON.stringify(fileName)} contains "..".`);
  if (fileName.length > 255) throw new PackageNameError('The file name is longer than 255 characters.');
  const extension = PACKAGE_EXTENSIONS.find((e) => fileName.toLowerCase().endsWith(e));
  if (!extension) throw new PackageNameError(`The file name ${JSON.stringify(fileName)} does not end in ${PACKAGE_EXTENSIONS.join(', ')}.`);
  const stem = fileName.slice(0, -extension.length);
  // The id may hold dots and digits (My.Lib2.Tools), so try each dot as the split, leftmost first.
  for (let i = stem.indexOf('.'); i > 0; i = stem.indexOf('.', i + 1)) {
    const version = parseVersion(stem.slice(i + 1));
    if (!version) continue;
    const packageId = stem.slice(0, i);
    if (!PACKAGE_ID.test(packageId)) {
      throw new PackageNameError(`The package id ${JSON.stringify(packageId)} may hold only letters, digits, "_", "-" and single dots.`);
    }
    if (packageId.length > MAX_PACKAGE_ID_LENGTH) throw new PackageNameError(`The package id is longer than ${MAX_PACKAGE_ID_LENGTH} characters.`);
    if (RESERVED.test(packageId.split('.')[0]!)) throw new PackageNameError(`The package id ${JSON.stringify(packageId)} starts with a name Windows reserves for a device.`);
    if (version.text.length > 200) throw new PackageNameError('The version is longer than 200 characters.');
    return { fileName, packageId, version, extension, packageKey: packageId.toLowerCase(), versionKey: versionKey(version) };
  }
  throw new PackageNameError(
    `The file name ${JSON.stringify(fileName)} does not hold a package id and a SemVer version, like MyPackage.1.2.3${extension} or MyPackage.1.2.3-beta.1${extension}.`,
  );
}
