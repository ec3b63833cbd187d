import crypto from 'node:crypto';
import { badRequest } from '../api/errors.js';
import type { Variable, VariableBody } from '../contract/projects.js';
import { formatId, parseId } from '../resources/ids.js';
import { encryptValue } from '../secrets/masterKey.js';

export interface StoredScope {
  environmentIds: string[];
  roles: string[];
  targetIds: string[];
  stepNames: string[];
}

/** A variable as stored: a sensitive value only ever sealed with the master key. */
export interface StoredVariable {
  id: string;
  name: string;
  /** The plain value; null when sensitive. */
  value: string | null;
  /** `encryptValue` output; null when not sensitive or not set. */
  sealed: string | null;
  sensitive: boolean;
  scope: StoredScope;
}

const NAME = /^[^#{}\r\n]+$/;

/**
 * The variables of a PUT, ready to store. A sensitive variable sent without a value keeps
 * the sealed value it had under the same id; environments are checked against `environmentIds`.
 */
export function storeVariables(body: VariableBody[], previous: StoredVariable[], key: Buffer, knownEnvironments: ReadonlySet<string>, field = 'variables'): StoredVariable[] {
  const before = new Map(previous.map((v) => [v.id, v]));
  const ids = new Set<string>();
  return body.map((v, i) => {
    const at = `${field}[${i}]`;
    if (!NAME.test(v.name) || v.name.trim() !== v.name) throw badRequest(`${at}.name: a variable name holds no #, {, } or line break and no leading or trailing space`);
    const id = v.id ?? crypto.randomUUID();
    if (ids.has(id)) throw badRequest(`${at}.id: ${id} appears twice`);
    ids.add(id);
    const environmentIds = (v.scope?.environmentIds ?? []).map((raw, j) => {
      const n = parseId('environment', raw);
      const text = n === undefined ? raw : formatId('environment', n);
      if (!knownEnvironments.has(text)) throw badRequest(`${at}.scope.environmentIds[${j}]: there is no environment ${raw}`);
      return text;
    });
    const scope = { environmentIds, roles: v.scope?.roles ?? [], targetIds: v.scope?.targetIds ?? [], stepNames: v.scope?.stepNames ?? [] };
    if (!v.sensitive) return { id, name: v.name, value: v.value ?? '', sealed: null, sensitive: false, scope };
    const kept = before.get(id);
    const sealed = typeof v.value === 'string' ? encryptValue(key, v.value) : kept?.sensitive ? kept.sealed : null;
    return { id, name: v.name, value: null, sealed, sensitive: true, scope };
  });
}

/** As the API shows it: a sensitive value is only "set" or "not set". */
export const toVariable = (v: StoredVariable): Variable => ({
  id: v.id,
  name: v.name,
  value: v.sensitive ? null : v.value,
  sensitive: v.sensitive,
  hasValue: v.sensitive ? v.sealed !== null : true,
  scope: { environmentIds: [...v.scope.environmentIds], roles: [...v.scope.roles], targetIds: [...v.scope.targetIds], stepNames: [...v.scope.stepNames] },
});

export const parseVariables = (json: string): StoredVariable[] => JSON.parse(json) as StoredVariable[];
