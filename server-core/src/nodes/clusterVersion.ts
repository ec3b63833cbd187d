import type { ShoalDb } from '../db/dialects/dialect.js';
import { hasPendingMigrations, migrateToLatest } from '../db/migrations/index.js';
import { readSetting, SETTING, writeSetting } from '../settings/settings.js';
import { listNodes, nodeIsOffline } from './registry.js';

export class VersionError extends Error {}

/** Compares dotted versions numerically (1.10.0 > 1.9.2); pre-release text compares as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (d) return Math.sign(d);
  }
  return 0;
}

export async function clusterVersion(shoal: ShoalDb): Promise<string | undefined> {
  return readSetting(shoal, SETTING.clusterVersion);
}

/** Online nodes other than `self` whose version differs from `version`. */
export async function onlineNodesOfOtherVersions(shoal: ShoalDb, self: string, version: string) {
  return (await listNodes(shoal)).filter((n) => n.name !== self && !nodeIsOffline(n) && n.version !== version);
}

/**
 * Before a node changes the schema: refuse while nodes of another version are online,
 * so a running cluster never sees its schema change under it.
 */
export async function assertSafeToUpgrade(shoal: ShoalDb, self: string, version: string): Promise<void> {
  const others = await onlineNodesOfOtherVersions(shoal, self, version).catch(() => []);
  if (others.length) {
    const list = others.map((n) => `${n.name} (${n.version})`).join(', ');
    throw new VersionError(`refusing to upgrade the database schema while nodes of another version are online: ${list}. Stop them first.`);
  }
}

/** Brings the schema up to date, unless that would change it under nodes of another version. */
export async function upgradeSchemaSafely(shoal: ShoalDb, self: string, version: string): Promise<void> {
  if (await hasPendingMigrations(shoal)) await assertSafeToUpgrade(shoal, self, version);
  await migrateToLatest(shoal);
}

/**
 * The cluster runs the version of its newest node once no older node is online; nodes
 * of any other version show VersionMismatch and claim no tasks.
 */
export async function adoptClusterVersion(shoal: ShoalDb, self: string, version: string): Promise<string> {
  const current = await clusterVersion(shoal);
  if (current === version) return current;
  if (current && compareVersions(version, current) < 0) return current;
  if ((await onlineNodesOfOtherVersions(shoal, self, version)).length) return current ?? version;
  await writeSetting(shoal, SETTING.clusterVersion, version);
  return version;
}
