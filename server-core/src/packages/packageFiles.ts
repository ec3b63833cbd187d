import path from 'node:path';

/** Each space's packages sit in their own folder under the packages path. */
export const spaceFolder = (packagesRoot: string, spaceId: string): string => path.join(packagesRoot, spaceId);

/** Upload in progress: hidden, and never a name a package could have. */
export const PARTIAL_SUFFIX = '.partial';
export const isPartialName = (name: string): boolean => name.startsWith('.') && name.endsWith(PARTIAL_SUFFIX);
