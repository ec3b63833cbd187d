import type { ShoalDb } from '../db/dialects/dialect.js';
import { isUniqueViolation } from '../packages/uniqueViolation.js';
import { decryptValue, encryptValue } from '../secrets/masterKey.js';
import { createSelfSignedCertificate, type KeyAndCertificate } from './certificates.js';

/**
 * The cluster's communication certificate: made by the first node that needs it, its key
 * sealed with the master key in the database, so every node presents the same certificate
 * and agents pin one thumbprint whichever node (or balancer) they reach. Two nodes starting
 * together both try; the row's key decides, and the loser reads the winner's.
 */
export async function loadOrCreateCommsCertificate(shoal: ShoalDb, masterKey: Buffer): Promise<KeyAndCertificate> {
  const read = async () => {
    const row = await shoal.db.selectFrom('comms_certificates').selectAll().where('id', '=', 1).executeTakeFirst();
    return row && { cert: row.certificate, key: decryptValue(masterKey, row.sealed_key), thumbprint: row.thumbprint };
  };
  const existing = await read();
  if (existing) return existing;
  const made = await createSelfSignedCertificate('Shoal cluster communication');
  try {
    await shoal.db
      .insertInto('comms_certificates')
      .values({ id: 1, certificate: made.cert, sealed_key: encryptValue(masterKey, made.key), thumbprint: made.thumbprint, created_at: shoal.dialect.now() as never })
      .execute();
    return made;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return (await read())!;
  }
}
