import crypto from 'node:crypto';

/**
 * What one node of a cluster shows another on node-to-node calls (a task's live log relayed
 * from the node running it): an HMAC of a fixed label under the cluster's master key, which
 * every node holds and no user ever sees. Never stored; nodes of another cluster cannot make it.
 */
export const NODE_CREDENTIAL_HEADER = 'x-shoal-node-credential';

export const nodeCredential = (masterKey: Buffer): string => crypto.createHmac('sha256', masterKey).update('shoal node-to-node v1').digest('base64url');

/** Whether `presented` is the cluster's node credential (compared in constant time). */
export function isNodeCredential(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(presented), Buffer.from(expected));
}
