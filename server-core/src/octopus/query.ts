import type { FastifyRequest } from 'fastify';
import { badRequest } from '../api/errors.js';

/** Octopus's default page size. */
export const DEFAULT_TAKE = 30;
/** The most items one page holds; bigger `take`s (the TS client sends 2147483647 for "all") are clamped. */
export const MAX_TAKE = 1000;

/**
 * An Octopus client's query string, read from the URL as sent: names in any case, `+` or
 * `%20` for spaces, `ids` comma-joined (`A,B` or `A%2CB`) or repeated.
 */
export class OctopusQuery {
  private readonly values = new Map<string, string[]>();
  readonly search: URLSearchParams;

  constructor(url: string) {
    const q = url.indexOf('?');
    this.search = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    for (const [k, v] of this.search) {
      const key = k.toLowerCase();
      this.values.set(key, [...(this.values.get(key) ?? []), v]);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase())?.[0];
  }

  /** A comma list (every occurrence), or undefined when the parameter is absent. */
  list(name: string): string[] | undefined {
    const all = this.values.get(name.toLowerCase());
    return all && all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  }

  private int(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined || v === '') return fallback;
    if (!/^\d{1,10}$/.test(v)) throw badRequest(`${name} must be a whole number, not "${v}"`);
    return Number(v);
  }

  get skip(): number {
    return this.int('skip', 0);
  }

  get take(): number {
    return Math.max(1, Math.min(MAX_TAKE, this.int('take', DEFAULT_TAKE)));
  }
}

export const octopusQuery = (req: FastifyRequest): OctopusQuery => new OctopusQuery(req.url);
