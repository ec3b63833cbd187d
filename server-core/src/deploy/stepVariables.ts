import type { Snapshot } from '../projects/snapshot.js';
import { decryptValue } from '../secrets/masterKey.js';
import type { Candidate } from '../variables/resolve.js';
import type { StoredVariable } from '../variables/storedVariables.js';

/**
 * The snapshot's variables as candidates for resolution, sensitive values decrypted in
 * memory (never written anywhere but a script file in the task's private work folder).
 */
export function snapshotCandidates(snapshot: Snapshot, masterKey: Buffer): Candidate[] {
  const open = (v: StoredVariable, source: number, owner: string): Candidate => {
    let value = v.value ?? '';
    if (v.sensitive) {
      if (v.sealed === null) value = '';
      else {
        try {
          value = decryptValue(masterKey, v.sealed);
        } catch {
          throw new Error(`The sensitive variable ${v.name} of ${owner} cannot be decrypted with this node's master key.`);
        }
      }
    }
    return { name: v.name, value, sensitive: v.sensitive, scope: v.scope, source };
  };
  return [
    ...snapshot.librarySets.flatMap((set) => set.variables.map((v) => open(v, 0, `the library variable set ${set.name}`))),
    ...snapshot.variables.map((v) => open(v, 1, `the project ${snapshot.projectName}`)),
  ];
}
