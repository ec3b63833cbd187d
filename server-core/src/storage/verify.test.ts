import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { migrateToLatest } from '../db/migrations/index.js';
import { openDatabase } from '../db/open.js';
import { registerNode } from '../nodes/registry.js';
import { saveNonce } from '../nodes/storageStatus.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { ensureStorage, storageUnder } from './paths.js';
import { newStorageNonce, verifySharedStorage, writeMarkers } from './verify.js';

after(removeTempDirs);

describe('shared storage verification', () => {
  it('finds its own markers and stamps the check with the cluster clock it is given, not the machine clock', async () => {
    const dir = makeTempDir('shoal-verify-');
    const shoal = await openDatabase(path.join(dir, 'shoal.db'));
    try {
      await migrateToLatest(shoal);
      await registerNode(shoal, { name: 'n1', nodeId: 'n1', version: 'v', url: 'u', taskCap: 1 });
      const paths = storageUnder(path.join(dir, 'storage'));
      await ensureStorage(paths);
      const nonce = newStorageNonce();
      await writeMarkers(paths, 'n1', nonce);
      await saveNonce(shoal, 'n1', nonce);
      // A machine clock ten minutes fast: the database-corrected clock says otherwise.
      const corrected = Date.now() - 600_000;
      const status = await verifySharedStorage(shoal, paths, 'n1', { nowMs: () => corrected });
      assert.deepEqual(status.problems, []);
      assert.equal(status.checkedAt, new Date(corrected).toISOString());
    } finally {
      await shoal.close();
    }
  });
});
