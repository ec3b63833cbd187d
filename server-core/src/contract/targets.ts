import { Type, type Static } from '@sinclair/typebox';
import { NoContent, Nullable, ResourceIds, ResourceName, SpaceIdParams, SpaceParams, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';

/**
 * Deployment targets (machines with `shoal-agent`), their registration, and the messages of
 * the agents' channel (the comms port, mutual TLS; not under /api).
 */

export const TargetStatus = Type.Union([Type.Literal('Unknown'), Type.Literal('Healthy'), Type.Literal('Unhealthy'), Type.Literal('Unavailable')]);
export type TargetStatus = Static<typeof TargetStatus>;

const Roles = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(.*\\S)?$' }), { maxItems: 100, uniqueItems: true, description });
/** SHA-256 of the agent's certificate (DER), 64 hexadecimal digits. */
const Thumbprint = Type.String({ pattern: '^[0-9A-Fa-f]{64}$', description: "SHA-256 of the certificate's DER bytes, hexadecimal." });

export const Target = Type.Object(
  {
    id: Type.String(),
    spaceId: Type.String(),
    name: Type.String(),
    mode: Type.Union([Type.Literal('Polling'), Type.Literal('Listening')]),
    address: Nullable(Type.String({ description: 'Listening targets: where a node dials the agent (https://host:port); null for polling ones.' })),
    environmentIds: Type.Array(Type.String()),
    roles: Type.Array(Type.String()),
    thumbprint: Type.String(),
    status: TargetStatus,
    statusSummary: Type.String({ description: 'Why it has its status.' }),
    lastHealthCheck: Nullable(Timestamp),
    lastContact: Nullable(Timestamp),
    agentVersion: Nullable(Type.String()),
    os: Nullable(Type.String()),
    isDisabled: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Target = Static<typeof Target>;

export const TargetUpdateBody = Type.Object(
  {
    name: ResourceName,
    environmentIds: ResourceIds('Environments it deploys in (at least one).'),
    roles: Roles('Roles that select it for steps.'),
    isDisabled: Type.Optional(Type.Boolean({ description: 'A disabled target takes no work. Default false.' })),
  },
  { additionalProperties: false },
);
export type TargetUpdateBody = Static<typeof TargetUpdateBody>;

/** What `shoal-agent register` sends. With an API key: POST …/targets; with a token: POST …/targets/register. */
export const TargetRegistrationBody = Type.Object(
  {
    name: ResourceName,
    environmentIds: ResourceIds('Environments, by id or name (at least one).'),
    roles: Roles('Roles, at least one.'),
    thumbprint: Thumbprint,
    mode: Type.Optional(
      Type.Union([Type.Literal('Polling'), Type.Literal('Listening')], { description: 'Polling (default): the agent connects to the cluster. Listening: whichever node runs a task dials the agent at `address`.' }),
    ),
    address: Type.Optional(Type.String({ maxLength: 500, pattern: '^https://[^/?#\\s]+:[0-9]{1,5}/?$', description: 'Listening agents only: https://host:port where nodes reach the agent.' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A registration token (POST …/targets/register only).' })),
  },
  { additionalProperties: false },
);
export type TargetRegistrationBody = Static<typeof TargetRegistrationBody>;

export const TargetRegistration = Type.Object(
  {
    target: Target,
    clusterCertificate: Type.String({ description: "PEM of the cluster's communication certificate, which the agent pins." }),
    clusterThumbprint: Type.String(),
    commsUrl: Type.String({ description: 'Where the agent polls: https://host:port of the comms port.' }),
  },
  { additionalProperties: false },
);
export type TargetRegistration = Static<typeof TargetRegistration>;

export const RegistrationTokenBody = Type.Object(
  {
    environmentIds: ResourceIds('Environments the registered target may join (at least one).'),
    roles: Roles('Roles the registered target may take (at least one).'),
    expiresInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, description: 'Default 60.' })),
  },
  { additionalProperties: false },
);
export type RegistrationTokenBody = Static<typeof RegistrationTokenBody>;

export const RegistrationToken = Type.Object(
  { token: Type.String({ description: 'Shown once; good for one registration.' }), expiresAt: Timestamp, environmentIds: Type.Array(Type.String()), roles: Type.Array(Type.String()) },
  { additionalProperties: false },
);

export const targetEndpoints = {
  listTargets: endpoint({ method: 'GET', url: '/api/:spaceId/targets', summary: 'Every deployment target of the space.', params: SpaceParams, response: { 200: Type.Array(Target) } }),
  registerTargetWithKey: endpoint({
    method: 'POST',
    url: '/api/:spaceId/targets',
    summary: 'Register an agent (administrators, e.g. with an API key); answers what the agent pins and where it polls.',
    params: SpaceParams,
    body: TargetRegistrationBody,
    response: { 201: TargetRegistration },
  }),
  registerTargetWithToken: endpoint({
    method: 'POST',
    url: '/api/:spaceId/targets/register',
    summary: 'Register an agent with a one-time registration token (no other credential).',
    params: SpaceParams,
    body: TargetRegistrationBody,
    response: { 201: TargetRegistration },
  }),
  createRegistrationToken: endpoint({
    method: 'POST',
    url: '/api/:spaceId/targets/registration-tokens',
    summary: 'A one-time, expiring token that registers one agent in these environments with these roles.',
    params: SpaceParams,
    body: RegistrationTokenBody,
    response: { 201: RegistrationToken },
  }),
  getTarget: endpoint({ method: 'GET', url: '/api/:spaceId/targets/:id', summary: 'One deployment target.', params: SpaceIdParams, response: { 200: Target } }),
  updateTarget: endpoint({ method: 'PUT', url: '/api/:spaceId/targets/:id', summary: 'Rename a target, change its environments and roles, disable it.', params: SpaceIdParams, body: TargetUpdateBody, response: { 200: Target } }),
  deleteTarget: endpoint({ method: 'DELETE', url: '/api/:spaceId/targets/:id', summary: 'Remove a target: its agent is refused from then on.', params: SpaceIdParams, response: { 204: NoContent } }),
};

// The agents' channel -------------------------------------------------------------------

export const AgentPollBody = Type.Object(
  {
    capacity: Type.Integer({ minimum: 0, maximum: 100, description: 'How many pieces of work the agent takes now.' }),
    agentVersion: Type.String({ maxLength: 50 }),
    os: Type.String({ maxLength: 200 }),
    waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30_000, description: 'How long the node may hold the poll. Default 25000.' })),
  },
  { additionalProperties: false },
);
export type AgentPollBody = Static<typeof AgentPollBody>;

/** A DeployPackage step on a target: which package (by content hash) and how to install it. */
export const AgentPackageWork = Type.Object(
  {
    sha256: Type.String({ description: 'Lower-case hex SHA-256 of the package file: the agent fetches it by this and verifies it.' }),
    sizeBytes: Type.Integer({ minimum: 0 }),
    packageId: Type.String(),
    version: Type.String(),
    extension: Type.String({ description: '.zip, .nupkg, .tar.gz or .tgz' }),
    environment: Type.String({ description: 'Names the default install folder: <applications>/<environment>/<package>/<version>.' }),
    installPath: Type.Optional(Type.String({ description: "The step's install folder (substituted), else the default one under the agent's data dir." })),
    substituteInFiles: Type.Array(Type.String()),
    /** The step's variables for this target, names lower-cased, for substitution in files and the package's scripts. */
    variables: Type.Record(Type.String(), Type.String()),
    /** Environment of the package's own scripts (PreDeploy, Deploy, PostDeploy), as a script step on targets has. */
    env: Type.Record(Type.String(), Type.String()),
  },
  { additionalProperties: false },
);
export type AgentPackageWork = Static<typeof AgentPackageWork>;

export const AgentWorkItem = Type.Object(
  {
    id: Type.String(),
    token: Type.String({ description: 'Carried by every post about this work; a post whose token no longer matches is refused (409).' }),
    kind: Type.Union([Type.Literal('Script'), Type.Literal('HealthCheck'), Type.Literal('DeployPackage')]),
    leaseMs: Type.Integer({ description: 'Heartbeat well within this (the agent beats every tenth of it), or the work ends Failed.' }),
    script: Type.Optional(Type.Object({ body: Type.String(), syntax: Type.String(), env: Type.Record(Type.String(), Type.String()) })),
    package: Type.Optional(AgentPackageWork),
  },
  { additionalProperties: false },
);
export type AgentWorkItem = Static<typeof AgentWorkItem>;
export const AgentPollAnswer = Type.Object({ work: Type.Array(AgentWorkItem) }, { additionalProperties: false });
export type AgentPollAnswer = Static<typeof AgentPollAnswer>;

export const AgentTokenBody = Type.Object({ token: Type.String({ maxLength: 100 }) }, { additionalProperties: false });
export const AgentHeartbeatAnswer = Type.Object({ cancel: Type.Boolean() }, { additionalProperties: false });
export type AgentHeartbeatAnswer = Static<typeof AgentHeartbeatAnswer>;

export const AgentLogBody = Type.Object(
  {
    token: Type.String({ maxLength: 100 }),
    seq: Type.Integer({ minimum: 0, description: 'Chunks are numbered from 0; a chunk posted again is taken once.' }),
    lines: Type.Array(Type.Object({ stream: Type.Union([Type.Literal('out'), Type.Literal('err')]), text: Type.String({ maxLength: 64 * 1024 }) }, { additionalProperties: false }), { maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type AgentLogBody = Static<typeof AgentLogBody>;

/** What one piece of work may report of output variables: how many, how long a name and a value, and all names and values together (well inside a post's 8 MiB). */
export const AGENT_OUTPUT_LIMITS = { count: 200, name: 200, value: 64 * 1024, total: 1024 * 1024 } as const;

/** The characters of all names and values together: what AGENT_OUTPUT_LIMITS.total bounds. */
export const outputVariablesSize = (variables: readonly { name: string; value: string }[]): number => variables.reduce((n, v) => n + v.name.length + v.value.length, 0);

/** An output variable a script on the target set with `shoal-set-variable`, for the steps after it. */
export const AgentOutputVariable = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: AGENT_OUTPUT_LIMITS.name }), value: Type.String({ maxLength: AGENT_OUTPUT_LIMITS.value }), sensitive: Type.Boolean() },
  { additionalProperties: false },
);

export const AgentResultBody = Type.Object(
  {
    token: Type.String({ maxLength: 100 }),
    /** Chunks posted before this result: the node has them all before it takes the result. */
    logChunks: Type.Integer({ minimum: 0 }),
    exitCode: Nullable(Type.Integer()),
    error: Type.Optional(Type.String({ maxLength: 4000 })),
    canceled: Type.Optional(Type.Boolean()),
    health: Type.Optional(Type.Object({ freeDiskBytes: Type.Number(), workDir: Type.String(), os: Type.String(), agentVersion: Type.String() }, { additionalProperties: false })),
    outputVariables: Type.Optional(Type.Array(AgentOutputVariable, { maxItems: AGENT_OUTPUT_LIMITS.count, description: 'In the order the scripts set them (a later one of a name wins).' })),
  },
  { additionalProperties: false },
);
export type AgentResultBody = Static<typeof AgentResultBody>;

/** Paths of the comms port. */
export const AGENT_PATHS = {
  poll: '/agent/poll',
  heartbeat: (id: string) => `/agent/work/${encodeURIComponent(id)}/heartbeat`,
  log: (id: string) => `/agent/work/${encodeURIComponent(id)}/log`,
  result: (id: string) => `/agent/work/${encodeURIComponent(id)}/result`,
  /** GET, with `Range` for resuming; the work it is for in the headers below. */
  package: (sha256: string) => `/agent/packages/${encodeURIComponent(sha256)}`,
};

/** Headers of a package download: the DeployPackage work that authorises it. */
export const AGENT_WORK_HEADERS = { id: 'x-shoal-work-id', token: 'x-shoal-work-token' } as const;
