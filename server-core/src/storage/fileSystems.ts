/**
 * Names of file systems by their statfs magic number (Linux), and which of them are network
 * shares: a storage folder on a local disk where the rest of the cluster has a share points
 * at a share that did not mount.
 */
const NAMES: Record<number, string> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0x65735546: 'fuse',
  0x6969: 'nfs',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb2',
  0x517b: 'smb',
  0x564c: 'ncp',
  0x00c36400: 'ceph',
  0x47504653: 'gpfs',
  0x5346414f: 'afs',
  0x6b414653: 'afs',
  0x0bd00bd0: 'lustre',
};

const NETWORK = new Set(['fuse', 'nfs', 'cifs', 'smb2', 'smb', 'ncp', 'ceph', 'gpfs', 'afs', 'lustre']);

export const fileSystemName = (magic: number): string => NAMES[magic] ?? `0x${magic.toString(16)}`;

/** FUSE counts as a network share: sshfs, and most FUSE file systems used for storage, are. */
export const isNetworkFileSystem = (name: string): boolean => NETWORK.has(name);
