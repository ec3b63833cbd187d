import type { AgentWorkItem } from '../../contract/targets.js';
import { decryptValue } from '../../secrets/masterKey.js';
import type { PackageWorkPayload } from '../packageDownload.js';
import type { AgentWorkRow } from './claim.js';
import { WORK_LEASE_MS } from './timings.js';

/** Claimed work as its agent gets it: the payload unsealed, the claim's token, the lease to heartbeat within. */
export const toWorkItem = (w: AgentWorkRow, masterKey: Buffer): AgentWorkItem => {
  const payload = JSON.parse(decryptValue(masterKey, w.payload)) as { body?: string; syntax?: string; env?: Record<string, string> } & Partial<PackageWorkPayload>;
  return {
    id: String(w.id),
    token: w.claim_token!,
    kind: w.kind as AgentWorkItem['kind'],
    leaseMs: WORK_LEASE_MS,
    ...(w.kind === 'Script' ? { script: { body: payload.body ?? '', syntax: payload.syntax ?? 'bash', env: payload.env ?? {} } } : {}),
    ...(w.kind === 'DeployPackage' && payload.package ? { package: payload.package } : {}),
  };
};
