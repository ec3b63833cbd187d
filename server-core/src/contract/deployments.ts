import { Type, type Static } from '@sinclair/typebox';
import { Nullable, PagingFields, SpaceParams, Timestamp } from './common.js';

/**
 * The deployment model's configuration: environments, lifecycles, projects with their
 * process and variables, library variable sets. Ids carry their kind (`Environments-1`).
 * Sensitive variable values are write-only: no response schema here has room for one.
 */

const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Unique per space, whatever its case.' });
const Description = Type.String({ maxLength: 2000, description: "Default ''." });
export const ResourceId = Type.String({ minLength: 1, maxLength: 50 });
const IdList = (description: string) => Type.Array(ResourceId, { maxItems: 500, description });

export { SpaceParams };
export const SpaceIdParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }), id: ResourceId });

// Environments ------------------------------------------------------------------------

export const Environment = Type.Object(
  { id: Type.String(), spaceId: Type.String(), name: Type.String(), description: Type.String(), sortOrder: Type.Integer() },
  { additionalProperties: false },
);
export type Environment = Static<typeof Environment>;

export const EnvironmentBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Default: after the last environment.' })),
  },
  { additionalProperties: false },
);
export type EnvironmentBody = Static<typeof EnvironmentBody>;

export const EnvironmentOrderBody = Type.Object(
  { environmentIds: Type.Array(ResourceId, { minItems: 1, maxItems: 500, uniqueItems: true, description: 'Every environment of the space, in the new order.' }) },
  { additionalProperties: false },
);

// Lifecycles --------------------------------------------------------------------------

export const PhaseBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    environmentIds: Type.Optional(IdList('Environments deployed to by hand. Default [].')),
    automaticDeploymentEnvironmentIds: Type.Optional(IdList('Environments deployed to automatically once the earlier phases are complete. Default [].')),
    minimumEnvironmentsBeforePromotion: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, description: 'Successful environments that complete the phase; 0 (default): all of them.' })),
    isOptional: Type.Optional(Type.Boolean({ description: 'An optional phase never holds back a later one. Default false.' })),
  },
  { additionalProperties: false },
);
export const Phase = Type.Object(
  {
    name: Type.String(),
    environmentIds: Type.Array(Type.String()),
    automaticDeploymentEnvironmentIds: Type.Array(Type.String()),
    minimumEnvironmentsBeforePromotion: Type.Integer(),
    isOptional: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Phase = Static<typeof Phase>;

export const Lifecycle = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    isDefault: Type.Boolean({ description: 'The space default: without phases of its own, each environment is a phase, in order.' }),
    usesEnvironmentOrder: Type.Boolean({ description: 'Its phases are the environments in order (shown in `phases`).' }),
    phases: Type.Array(Phase),
  },
  { additionalProperties: false },
);
export type Lifecycle = Static<typeof Lifecycle>;

export const LifecycleBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    phases: Type.Optional(Nullable(Type.Array(PhaseBody, { maxItems: 100, description: 'null or absent: each environment its own phase, in order.' }))),
  },
  { additionalProperties: false },
);
export type LifecycleBody = Static<typeof LifecycleBody>;

// Processes ---------------------------------------------------------------------------

export const STEP_ACTIONS = ['RunScript', 'DeployPackage', 'ManualIntervention'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];
const PropertyValue = Type.Union([Type.String({ maxLength: 512 * 1024 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 200 }), Type.Boolean(), Type.Number()]);

export const StepBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique in the process.' }),
    action: Type.Union(STEP_ACTIONS.map((a) => Type.Literal(a))),
    runOn: Type.Optional(Type.Union([Type.Literal('server'), Type.Literal('targets')], { description: 'Default: targets when the step has roles, else server.' })),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'Target roles. Default [].' })),
    environmentIds: Type.Optional(IdList('Run only in these environments. Default []: every environment.')),
    condition: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('always')], { description: 'Default success: only when nothing failed before.' })),
    properties: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), PropertyValue, { description: 'The action’s settings (see the README). Default {}.' })),
  },
  { additionalProperties: false },
);
export type StepBody = Static<typeof StepBody>;

export const Step = Type.Object(
  {
    name: Type.String(),
    action: Type.Union(STEP_ACTIONS.map((a) => Type.Literal(a))),
    runOn: Type.Union([Type.Literal('server'), Type.Literal('targets')]),
    roles: Type.Array(Type.String()),
    environmentIds: Type.Array(Type.String()),
    condition: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('always')]),
    properties: Type.Record(Type.String(), PropertyValue),
  },
  { additionalProperties: false },
);
export type Step = Static<typeof Step>;

export const ProcessBody = Type.Object({ steps: Type.Array(StepBody, { maxItems: 100 }) }, { additionalProperties: false });
export type ProcessBody = Static<typeof ProcessBody>;
export const Process = Type.Object({ ownerId: Type.String(), steps: Type.Array(Step) }, { additionalProperties: false });
export type Process = Static<typeof Process>;

// Variables ---------------------------------------------------------------------------

export const VariableScope = Type.Object(
  {
    environmentIds: Type.Optional(IdList('')),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    targetIds: Type.Optional(IdList('')),
    stepNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type VariableScope = Static<typeof VariableScope>;

export const VariableBody = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 50, description: 'Keeps a sensitive value sent without `value`.' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    value: Type.Optional(Nullable(Type.String({ maxLength: 256 * 1024 }))),
    sensitive: Type.Optional(Type.Boolean({ description: 'Encrypted, never shown again, masked in logs. Default false.' })),
    scope: Type.Optional(VariableScope),
  },
  { additionalProperties: false },
);
export type VariableBody = Static<typeof VariableBody>;

export const Variable = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    value: Nullable(Type.String({ description: 'null for a sensitive value (see hasValue).' })),
    sensitive: Type.Boolean(),
    hasValue: Type.Boolean(),
    scope: Type.Object(
      { environmentIds: Type.Array(Type.String()), roles: Type.Array(Type.String()), targetIds: Type.Array(Type.String()), stepNames: Type.Array(Type.String()) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Variable = Static<typeof Variable>;

export const VariablesBody = Type.Object({ variables: Type.Array(VariableBody, { maxItems: 2000 }) }, { additionalProperties: false });
export type VariablesBody = Static<typeof VariablesBody>;
export const VariableSet = Type.Object({ ownerId: Type.String(), variables: Type.Array(Variable) }, { additionalProperties: false });
export type VariableSet = Static<typeof VariableSet>;

export const LibraryVariableSet = Type.Object(
  { id: Type.String(), spaceId: Type.String(), name: Type.String(), description: Type.String(), variables: Type.Array(Variable) },
  { additionalProperties: false },
);
export type LibraryVariableSet = Static<typeof LibraryVariableSet>;
export const LibraryVariableSetBody = Type.Object(
  { name: Name, description: Type.Optional(Description), variables: Type.Optional(Type.Array(VariableBody, { maxItems: 2000 })) },
  { additionalProperties: false },
);
export type LibraryVariableSetBody = Static<typeof LibraryVariableSetBody>;

// Projects ----------------------------------------------------------------------------

export const Project = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    name: Type.String(),
    description: Type.String(),
    lifecycleId: Type.String(),
    libraryVariableSetIds: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type Project = Static<typeof Project>;

export const ProjectBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    lifecycleId: Type.Optional(Type.String({ maxLength: 50, description: "Default: the space's default lifecycle." })),
    libraryVariableSetIds: Type.Optional(IdList('Library variable sets whose variables the project uses. Default [].')),
  },
  { additionalProperties: false },
);
export type ProjectBody = Static<typeof ProjectBody>;

export const NameQuery = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 200, description: 'Exactly this name (any case).' })), ...PagingFields },
  { additionalProperties: false },
);

export const ProjectPage = Type.Object({ items: Type.Array(Project), total: Type.Integer() });
export const EnvironmentList = Type.Array(Environment);
export const LifecycleList = Type.Array(Lifecycle);
export const LibraryVariableSetList = Type.Array(LibraryVariableSet);
export { Timestamp };
