import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { endpoint } from './endpoint.js';
import { StorageKind } from './configuration.js';

export const MigrationCounter = Type.Object({ done: Type.Integer(), total: Type.Integer() }, { additionalProperties: false });
export type MigrationCounter = Static<typeof MigrationCounter>;

/** GET /api/migration: the node's "Move to high availability" job. */
export const MigrationStatus = Type.Object(
  {
    available: Type.Boolean({ description: 'Only a standalone node (SQLite) has something to move.' }),
    state: Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
    step: Nullable(Type.String()),
    tables: Type.Record(Type.String(), MigrationCounter),
    files: Type.Partial(Type.Record(StorageKind, MigrationCounter)),
    target: Nullable(Type.String({ description: 'The target database URL without its password.' })),
    storageRoot: Nullable(Type.String()),
    error: Nullable(Type.String()),
    result: Nullable(
      Type.Object(
        { rows: Type.Integer(), files: Type.Integer(), configPath: Type.Optional(Type.String()), configBackup: Type.Optional(Type.String()), joinCommand: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MigrationStatus = Static<typeof MigrationStatus>;

export const MigrationTarget = Type.Object(
  {
    targetUrl: Type.String({ minLength: 1, maxLength: 2000 }),
    storageRoot: Type.String({ minLength: 1, maxLength: 2000, description: 'Absolute (or UNC) path; each storage kind gets its folder under it.' }),
  },
  { additionalProperties: false },
);
export type MigrationTarget = Static<typeof MigrationTarget>;

/** A dry run: what would be copied, checked against the target; nothing is changed. */
export const MigrationPlan = Type.Object(
  {
    tables: Type.Array(Type.Object({ name: Type.String(), rows: Type.Integer() })),
    storage: Type.Array(
      Type.Object({
        kind: StorageKind,
        from: Type.String(),
        to: Type.String(),
        files: Type.Array(Type.Object({ relative: Type.String(), size: Type.Integer() })),
        bytes: Type.Integer(),
      }),
    ),
    resumes: Type.Boolean({ description: 'The target holds an earlier, interrupted run of this migration.' }),
  },
  { additionalProperties: false },
);
export type MigrationPlan = Static<typeof MigrationPlan>;

export const migrationEndpoints = {
  status: endpoint({ method: 'GET', url: '/api/migration', summary: 'The Move to high availability job of this node.', response: { 200: MigrationStatus } }),
  plan: endpoint({ method: 'POST', url: '/api/migration/plan', summary: 'Check a target and say what would be copied; changes nothing.', body: MigrationTarget, response: { 200: MigrationPlan } }),
  start: endpoint({ method: 'POST', url: '/api/migration/start', summary: 'Start the migration; poll the status.', body: MigrationTarget, response: { 202: MigrationStatus } }),
};
