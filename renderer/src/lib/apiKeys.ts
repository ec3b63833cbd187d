import type { ApiKey } from '@shoal/server-core/contract';

export type KeyState = 'active' | 'expired' | 'revoked';

/** Whether a key still works: revoked beats expired. */
export function keyState(key: Pick<ApiKey, 'revoked' | 'expiresAt'>, now: number): KeyState {
  if (key.revoked) return 'revoked';
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

const DATE_INPUT = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The value of an `<input type="date">` ("2026-03-15") as the moment a key chosen to expire
 * that day stops working: the end of that day on this machine's clock. Undefined when empty
 * or not a date.
 */
export function expiryFromDate(value: string): string | undefined {
  const m = DATE_INPUT.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new Date(year, month - 1, day);
  if (start.getFullYear() !== year || start.getMonth() !== month - 1 || start.getDate() !== day) return undefined; // 2026-02-30
  return new Date(year, month - 1, day + 1).toISOString();
}

/** The last moment a key with this expiry works, to show its last day (a key expiring at midnight does not work that day). */
export function lastMoment(expiresAt: string): string {
  return new Date(Date.parse(expiresAt) - 1).toISOString();
}

/** A day on this machine's clock as an `<input type="date">` value, for its `min`. */
export function dateInputValue(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
