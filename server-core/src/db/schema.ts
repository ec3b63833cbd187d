import type { Generated } from 'kysely';

/** All times are epoch milliseconds taken from the database clock. Booleans are 0/1 integers. */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  /** Superseded by membership of the Administrators team (0003); kept so old rows migrate. */
  is_admin: Generated<number>;
  created_at: number;
  disabled: Generated<number>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  /** Refreshed at most once a minute; a session unused for the idle limit ends. */
  last_used_at: number | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
  read_only: Generated<number>;
}

export interface NodesTable {
  name: string;
  version: string;
  url: string;
  task_cap: number;
  drain: number;
  started_at: number;
  last_seen: number;
  /** Set when the node shut down cleanly; cleared when it registers again. */
  stopped_at: number | null;
  /** Random per start; written into this node's storage markers so others can check them. */
  storage_nonce: Generated<string | null>;
  /** JSON of the node's last shared-storage verification (storage/verify.ts). */
  storage_status: Generated<string | null>;
  /** The data dir's identity of the process holding this name (0004); null on rows from before it. */
  node_id: Generated<string | null>;
}

export interface TasksTable {
  id: Generated<number>;
  kind: string;
  description: string;
  arguments: string;
  state: string;
  concurrency_tag: string | null;
  node_name: string | null;
  claim_token: string | null;
  queue_time: number;
  expires_at: number;
  start_time: number | null;
  completed_time: number | null;
  error_message: string | null;
  created_by: string | null;
  /** A short task's whole log, stored with its outcome; null when the log is a file. */
  log_text: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  occurred: number;
  username: string | null;
  action: string;
  target: string | null;
  details: string | null;
  client_ip: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface SpacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface PackagesTable {
  id: Generated<number>;
  space_id: string;
  package_id: string;
  package_key: string;
  version: string;
  version_key: string;
  file_name: string;
  file_extension: string;
  size_bytes: number;
  sha256: string;
  published_at: number;
  published_by: string | null;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  description: string;
  /** Comma-separated role names. */
  roles: string;
  /** JSON array of environment ids Deployer is limited to; null for every environment. */
  environment_ids: string | null;
  built_in: Generated<number>;
  created_at: number;
}

export interface TeamMembersTable {
  id: Generated<number>;
  team_id: number;
  user_id: number;
}

/** Failed logins per `user:<name>` and per `ip:<address>`, shared by every node. */
export interface LoginThrottleTable {
  throttle_key: string;
  failures: number;
  locked_until: number;
  updated_at: number;
  /** When a failure from this key was last written to the audit log. */
  audited_at: number;
}

interface NamedRow {
  id: Generated<number>;
  space_id: string;
  name: string;
  /** Lower-cased name: names are unique per space (or project) whatever their case. */
  name_key: string;
  description: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface EnvironmentsTable extends NamedRow {
  sort_order: number;
}

export interface LifecyclesTable extends NamedRow {
  /** JSON phases; null on the default lifecycle (each environment its own phase, in order). */
  phases: string | null;
  is_default: Generated<number>;
}

export interface LibraryVariableSetsTable extends NamedRow {
  /** JSON variables; sensitive values encrypted with the master key. */
  variables: string;
}

export interface ProjectsTable extends NamedRow {
  lifecycle_id: number;
  /** JSON `{steps}` */
  process: string;
  /** JSON variables; sensitive values encrypted with the master key. */
  variables: string;
  /** JSON array of library variable set ids (numbers). */
  library_variable_set_ids: string;
}

export interface ReleasesTable {
  id: Generated<number>;
  space_id: string;
  project_id: number;
  version: string;
  version_key: string;
  notes: string;
  /** JSON snapshot: process, variables (sensitive still encrypted), package versions. */
  snapshot: string;
  created_at: number;
  created_by: string | null;
}

export interface DeploymentsTable {
  id: Generated<number>;
  space_id: string;
  project_id: number;
  release_id: number;
  environment_id: number;
  task_id: number;
  comments: string;
  created_at: number;
  created_by: string | null;
}

export interface RunbooksTable extends NamedRow {
  project_id: number;
  /** JSON `{steps}`: the draft. */
  process: string;
  published_snapshot_id: number | null;
}

export interface RunbookSnapshotsTable {
  id: Generated<number>;
  runbook_id: number;
  name: string;
  notes: string;
  snapshot: string;
  created_at: number;
  created_by: string | null;
}

export interface RunbookRunsTable {
  id: Generated<number>;
  space_id: string;
  project_id: number;
  runbook_id: number;
  snapshot_id: number;
  environment_id: number;
  task_id: number;
  trigger_id: number | null;
  created_at: number;
  created_by: string | null;
}

export interface TriggersTable extends NamedRow {
  project_id: number;
  runbook_id: number;
  cron: string;
  time_zone: string;
  /** JSON array of environment ids (numbers). */
  environment_ids: string;
  disabled: Generated<number>;
  next_due_at: number;
}

export interface TriggerFiringsTable {
  id: Generated<number>;
  trigger_id: number;
  due_at: number;
  fired_at: number;
  node_name: string;
  /** `Queued` or `Skipped`. */
  outcome: string;
  message: string;
  /** JSON array of task ids (numbers). */
  task_ids: string;
}

export interface InterruptionsTable {
  id: Generated<number>;
  space_id: string;
  task_id: number;
  activity_id: number;
  environment_id: number;
  title: string;
  instructions: string;
  /** JSON array of team ids (numbers); empty: anyone who may deploy to the environment. */
  responsible_team_ids: string;
  /** `Pending`, `Proceed`, `Abort`, or `Canceled` (the task ended while it waited). */
  state: string;
  notes: string | null;
  submitted_by: string | null;
  submitted_at: number | null;
  created_at: number;
}

/** One node of a task's log tree (a step, the server or a target under it). */
export interface TaskActivitiesTable {
  id: Generated<number>;
  task_id: number;
  parent_id: number | null;
  position: number;
  kind: string;
  name: string;
  state: string;
  started_at: number | null;
  ended_at: number | null;
}

export interface CommsCertificatesTable {
  id: number;
  certificate: string;
  /** The private key, sealed with the master key (AES-256-GCM). */
  sealed_key: string;
  thumbprint: string;
  created_at: number;
}

export interface TargetsTable extends NamedRow {
  mode: string;
  /** JSON: numeric environment keys. */
  environment_ids: string;
  /** JSON: role names. */
  roles: string;
  thumbprint: string;
  status: string;
  status_summary: string;
  is_disabled: Generated<number>;
  first_contact: number | null;
  last_contact: number | null;
  last_health_check: number | null;
  agent_version: string | null;
  os: string | null;
  /** Listening targets: where a node dials the agent (`https://host:port`); null for polling ones. */
  address: string | null;
}

export interface TargetRegistrationTokensTable {
  token_hash: string;
  space_id: string;
  environment_ids: string;
  roles: string;
  expires_at: number;
  used_at: number | null;
  created_by: string;
  created_at: number;
}

export interface AgentWorkTable {
  id: Generated<number>;
  target_id: number;
  task_id: number | null;
  activity_id: number | null;
  kind: string;
  payload: string;
  state: string;
  claim_token: string | null;
  claimed_by: string | null;
  lease_expires_at: number | null;
  cancel_requested: Generated<number>;
  exit_code: number | null;
  error: string | null;
  result: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface AgentWorkLogsTable {
  id: Generated<number>;
  work_id: number;
  seq: number;
  /** JSON: [{stream, text}]. */
  lines: string;
}

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  nodes: NodesTable;
  tasks: TasksTable;
  events: EventsTable;
  settings: SettingsTable;
  spaces: SpacesTable;
  packages: PackagesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  login_throttle: LoginThrottleTable;
  environments: EnvironmentsTable;
  lifecycles: LifecyclesTable;
  library_variable_sets: LibraryVariableSetsTable;
  projects: ProjectsTable;
  releases: ReleasesTable;
  deployments: DeploymentsTable;
  runbooks: RunbooksTable;
  runbook_snapshots: RunbookSnapshotsTable;
  runbook_runs: RunbookRunsTable;
  triggers: TriggersTable;
  trigger_firings: TriggerFiringsTable;
  interruptions: InterruptionsTable;
  task_activities: TaskActivitiesTable;
  comms_certificates: CommsCertificatesTable;
  targets: TargetsTable;
  target_registration_tokens: TargetRegistrationTokensTable;
  agent_work: AgentWorkTable;
  agent_work_logs: AgentWorkLogsTable;
}
