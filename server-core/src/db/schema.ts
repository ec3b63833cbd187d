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
}
