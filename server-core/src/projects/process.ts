import { badRequest } from '../api/errors.js';
import type { ProcessBody, Step, StepBody } from '../contract/projects.js';
import { defaultSyntax, SCRIPT_SYNTAXES, type ScriptSyntax } from '../executor/runScript.js';
import { formatId, parseId } from '../resources/ids.js';


type Properties = Step['properties'];

/** What a step may be checked against: the space's environments and teams (API ids). */
export interface KnownIds {
  environments: ReadonlySet<string>;
  teams: ReadonlySet<string>;
}

function idList(kind: 'environment', raw: string[], known: ReadonlySet<string>, at: string): string[] {
  return raw.map((r, j) => {
    const n = parseId(kind, r);
    const id = n === undefined ? r : formatId(kind, n);
    if (!known.has(id)) throw badRequest(`${at}[${j}]: there is no ${kind} ${r}`);
    return id;
  });
}

const onlyKnown = (p: Properties, allowed: string[], at: string) => {
  const extra = Object.keys(p).find((k) => !allowed.includes(k));
  if (extra) throw badRequest(`${at}.${extra} is not a property of this action (${allowed.join(', ')})`);
};
const text = (p: Properties, name: string, at: string, o: { required?: boolean; fallback?: string } = {}): string => {
  const v = p[name];
  if (v === undefined) {
    if (o.required) throw badRequest(`${at}.${name} is required`);
    return o.fallback ?? '';
  }
  if (typeof v !== 'string') throw badRequest(`${at}.${name} must be a string`);
  if (o.required && !v.trim()) throw badRequest(`${at}.${name} must not be empty`);
  return v;
};
const list = (p: Properties, name: string, at: string): string[] => {
  const v = p[name];
  if (v === undefined) return [];
  if (typeof v === 'string') return v.split(/[\r\n;]+/).map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(v)) throw badRequest(`${at}.${name} must be a list of strings`);
  return v;
};

/** Each action's properties, checked and with their defaults. */
function actionProperties(s: StepBody, known: KnownIds, at: string): Properties {
  const p = s.properties ?? {};
  switch (s.action) {
    case 'RunScript': {
      onlyKnown(p, ['script', 'syntax'], at);
      const syntax = text(p, 'syntax', at, { fallback: defaultSyntax() });
      if (!SCRIPT_SYNTAXES.includes(syntax as ScriptSyntax)) throw badRequest(`${at}.syntax must be one of ${SCRIPT_SYNTAXES.join(', ')}`);
      return { script: text(p, 'script', at, { required: true }), syntax };
    }
    case 'DeployPackage': {
      onlyKnown(p, ['packageId', 'installPath', 'substituteInFiles'], at);
      const packageId = text(p, 'packageId', at, { required: true });
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(packageId)) throw badRequest(`${at}.packageId: ${packageId} is not a package id`);
      const globs = list(p, 'substituteInFiles', at);
      const bad = globs.find((g) => g.startsWith('/') || g.split('/').includes('..'));
      if (bad) throw badRequest(`${at}.substituteInFiles: ${bad} must stay inside the package (relative, no "..")`);
      return { packageId, installPath: text(p, 'installPath', at), substituteInFiles: globs };
    }
    case 'ManualIntervention': {
      onlyKnown(p, ['instructions', 'responsibleTeamIds'], at);
      const teams = list(p, 'responsibleTeamIds', at).map((t, j) => {
        const id = /^\d+$/.test(t) ? `Teams-${t}` : t;
        if (!known.teams.has(id)) throw badRequest(`${at}.responsibleTeamIds[${j}]: there is no team ${t}`);
        return id;
      });
      return { instructions: text(p, 'instructions', at), responsibleTeamIds: teams };
    }
  }
}

/**
 * A process body as stored: names unique, defaults applied (runOn targets when the step has
 * roles, else server; every environment; condition success), each action's properties checked.
 */
export function normalizeProcess(body: ProcessBody, known: KnownIds, field = 'steps'): Step[] {
  const names = new Set<string>();
  return body.steps.map((s, i) => {
    const at = `${field}[${i}]`;
    const name = s.name.trim();
    if (!name) throw badRequest(`${at}.name must not be empty`);
    if (names.has(name.toLowerCase())) throw badRequest(`${at}.name: another step is already named ${name}`);
    names.add(name.toLowerCase());
    const roles = s.roles ?? [];
    const runOn = s.runOn ?? (roles.length ? 'targets' : 'server');
    if (runOn === 'targets' && !roles.length) throw badRequest(`${at}.roles: a step that runs on targets names at least one role`);
    if (s.action === 'ManualIntervention' && runOn !== 'server') throw badRequest(`${at}.runOn: a manual intervention waits on the server; it has no targets or roles`);
    if (s.maxParallelTargets !== undefined && runOn !== 'targets') throw badRequest(`${at}.maxParallelTargets: only a step that runs on targets has targets to limit`);
    return {
      name,
      action: s.action,
      runOn,
      roles,
      environmentIds: idList('environment', s.environmentIds ?? [], known.environments, `${at}.environmentIds`),
      condition: s.condition ?? 'success',
      ...(s.maxParallelTargets !== undefined ? { maxParallelTargets: s.maxParallelTargets } : {}),
      properties: actionProperties(s, known, `${at}.properties`),
    };
  });
}

/** Whether any step runs a script on the server's built-in worker (a package's scripts count). */
export const runsScriptsOnServer = (steps: Step[]): boolean => steps.some((s) => s.runOn === 'server' && s.action !== 'ManualIntervention');

export const parseProcess = (json: string): Step[] => (JSON.parse(json) as { steps: Step[] }).steps;
export const serializeProcess = (steps: Step[]): string => JSON.stringify({ steps });
