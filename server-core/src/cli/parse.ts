import { InvalidArgumentError } from 'commander';

export function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('must be a port number 0-65535.');
  return Number(v);
}

export function parseTaskCap(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 1000) throw new InvalidArgumentError('must be a whole number from 0 to 1000.');
  return Number(v);
}

export function parseNonEmpty(v: string): string {
  if (!v.trim()) throw new InvalidArgumentError('must not be empty.');
  return v;
}

/** Arguments that make no sense together: reported in one line with exit code 2. */
export class UsageError extends Error {}
