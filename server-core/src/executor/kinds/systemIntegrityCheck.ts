import { currentSchemaVersion, LATEST_SCHEMA_VERSION } from '../../db/migrations/index.js';
import { checkStorage } from '../../storage/paths.js';
import { verifySharedStorage } from '../../storage/verify.js';
import type { TaskKind } from '../taskKind.js';

/** Verifies the schema version and that every storage path exists and is writable. */
export const systemIntegrityCheck: TaskKind = {
  name: 'SystemIntegrityCheck',
  permission: 'read',

  parseArguments(args) {
    const extra = Object.keys(args);
    if (extra.length) return { error: `arguments.${extra[0]} is not a known argument of SystemIntegrityCheck` };
    return { description: 'System integrity check' };
  },

  async run(ctx) {
    const problems: string[] = [];
    const version = await currentSchemaVersion(ctx.shoal);
    if (version === LATEST_SCHEMA_VERSION) ctx.log.info(`Database schema is at ${version}, as this version of Shoal expects.`);
    else problems.push(`Database schema is at ${version ?? 'nothing'}, expected ${LATEST_SCHEMA_VERSION}.`);
    const checks = await checkStorage(ctx.storage);
    for (const c of checks) {
      if (c.ok) ctx.log.info(`Storage ${c.kind}: ${c.path} exists and is writable.`);
      else problems.push(`Storage ${c.kind}: ${c.path} — ${c.problem}`);
    }
    // Every online node must see the same folders: read their markers.
    const shared = await verifySharedStorage(ctx.shoal, ctx.storage, ctx.nodeName);
    const failedKinds = checks.filter((c) => !c.ok).map((c) => `${c.kind}:`);
    const sharing = shared.problems.filter((p) => !failedKinds.some((k) => p.startsWith(k)));
    if (sharing.length === 0) ctx.log.info('Shared storage: this node sees the markers of every online node in every storage folder.');
    for (const p of sharing) problems.push(`Shared storage: ${p}`);
    for (const p of problems) ctx.log.error(p);
    if (problems.length) throw new Error(`${problems.length} integrity problem(s) found; see the task log.`);
    ctx.log.info('No problems found.');
  },
};
