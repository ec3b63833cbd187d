import { parseNumericId } from '../auth/userResource.js';
import { notFound } from '../api/errors.js';

/** How each kind of resource shows its numeric key in the API: `Environments-12`. */
export const ID_PREFIX = {
  environment: 'Environments',
  lifecycle: 'Lifecycles',
  project: 'Projects',
  libraryVariableSet: 'LibraryVariableSets',
  release: 'Releases',
  deployment: 'Deployments',
  runbook: 'Runbooks',
  runbookSnapshot: 'RunbookSnapshots',
  runbookRun: 'RunbookRuns',
  trigger: 'ProjectTriggers',
  interruption: 'Interruptions',
  activity: 'Activities',
  target: 'Machines',
} as const;
export type ResourceKind = keyof typeof ID_PREFIX;

export const formatId = (kind: ResourceKind, n: number | string): string => `${ID_PREFIX[kind]}-${Number(n)}`;

/** The numeric key of `Environments-12` (or `12`); undefined when the text is not an id of that kind. */
export const parseId = (kind: ResourceKind, id: string): number | undefined => parseNumericId(ID_PREFIX[kind], id);

/** Words for messages: `environment`, `library variable set`. */
const WORDS: Record<ResourceKind, string> = {
  environment: 'environment',
  lifecycle: 'lifecycle',
  project: 'project',
  libraryVariableSet: 'library variable set',
  release: 'release',
  deployment: 'deployment',
  runbook: 'runbook',
  runbookSnapshot: 'runbook snapshot',
  runbookRun: 'runbook run',
  trigger: 'trigger',
  interruption: 'manual intervention',
  activity: 'activity',
  target: 'deployment target',
};

/** The key, or a 404 naming what was asked for. */
export function requireId(kind: ResourceKind, id: string, spaceId?: string): number {
  const n = parseId(kind, id);
  if (n === undefined) throw notFound(`There is no ${WORDS[kind]} ${id}${spaceId ? ` in ${spaceId}` : ''}.`);
  return n;
}

export const missing = (kind: ResourceKind, id: string | number, spaceId?: string) =>
  notFound(`There is no ${WORDS[kind]} ${typeof id === 'number' ? formatId(kind, id) : id}${spaceId ? ` in ${spaceId}` : ''}.`);

export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(Number(ms)).toISOString());

/** Names compare without case. */
export const nameKey = (name: string): string => name.trim().toLowerCase();
