import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The node's identity: a random id made at the data dir's first start and kept there. A
 * node restarting (after SIGTERM, a crash, a migration) is the same node; another data dir
 * that uses the same node name is not, and is refused while the name's holder is alive.
 */
export function nodeIdentity(dataDir: string): string {
  const file = path.join(dataDir, 'node-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = crypto.randomUUID();
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
