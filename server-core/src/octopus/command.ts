import type { FastifyRequest } from 'fastify';
import { badRequest } from '../api/errors.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { requireSpace } from '../resources/space.js';
import { projectNamed } from './lookup.js';

/**
 * An Octopus command body, bound whatever its fields' case (the TS client sends PascalCase,
 * the Go CLI camelCase, both add space fields); unknown fields are ignored.
 */
export class OctopusCommand {
  private readonly fields = new Map<string, unknown>();

  constructor(body: unknown) {
    if (body === undefined || body === null) return;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
    for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) this.fields.set(k.toLowerCase(), v);
  }

  private raw(name: string): unknown {
    return this.fields.get(name.toLowerCase());
  }

  string(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name)?.trim();
    if (!v) throw badRequest(`${name} is required`);
    return v;
  }

  boolean(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw badRequest(`${name} must be true or false`);
    return v;
  }

  strings(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`${name} must be a list of strings`);
    return v as string[];
  }

  record(name: string): Record<string, unknown> {
    const v = this.raw(name);
    if (v === undefined) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${name} must be an object`);
    return v as Record<string, unknown>;
  }

  /** Refuses a field Shoal has no equivalent for, when it asks for something (non-empty, true). */
  unsupported(name: string, why: string): void {
    const v = this.raw(name);
    const asks = v !== undefined && v !== false && v !== '' && !(Array.isArray(v) && !v.length) && !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length);
    if (asks) throw badRequest(`${name} is not supported: ${why}`);
  }
}

/** A command about one project (release and deployment creation): its space, its fields, the project its `ProjectName` names. */
export async function projectCommand(shoal: ShoalDb, req: FastifyRequest) {
  const { spaceId } = req.params as { spaceId: string };
  await requireSpace(shoal, spaceId);
  const cmd = new OctopusCommand(req.body);
  const project = await projectNamed(shoal, spaceId, cmd.requiredString('ProjectName'));
  return { spaceId, cmd, project };
}
