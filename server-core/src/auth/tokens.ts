import crypto from 'node:crypto';

/** Session tokens and API keys are random; only their SHA-256 is stored. */
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('base64url');

export const newSessionToken = (): string => crypto.randomBytes(32).toString('base64url');

const KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `API-` and 32 characters from an unambiguous alphabet (160 bits). */
export function newApiKey(): string {
  const bytes = crypto.randomBytes(32);
  let out = 'API-';
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return out;
}
