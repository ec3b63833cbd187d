/**
 * The one bridge contract between the manager and its screens: every call a window makes, and
 * every event it is told. Electron's preload exposes it over IPC; `shoal-manager` exposes the
 * same over HTTP (POST /bridge/invoke/:channel, events as Server-Sent Events on /bridge/events).
 *
 * Arguments come from a renderer, so each channel's are a TypeBox tuple checked at run time
 * before its handler runs; results are plain types. Nothing any result holds is a secret: an API
 * key goes in (add, update, test) and never comes back.
 */
import { Type, type Static, type TTuple } from '@sinclair/typebox';
import type { Connection } from '../connections/connection.js';
import type { ConnectionsExport, ImportResult } from '../connections/exchange.js';
import type { ConnectionTest } from '../cluster/testConnection.js';
import type { NodePingCheck } from '../cluster/nodePing.js';
import type { ClusterHealth } from '../health/clusterHealth.js';
import type { FleetNotification } from '../notifications/notificationCentre.js';
import type { SecretsStatus } from '../secrets/secrets.js';

/** What results and events hold, for the screens' typed client. */
export type { Connection, ConnectionsExport, ImportResult, ConnectionTest, NodePingCheck, ClusterHealth, FleetNotification, SecretsStatus };

const Id = Type.String({ minLength: 1, maxLength: 100 });
const ApiKey = Type.String({ minLength: 1, maxLength: 1000 });
const Text100 = Type.String({ maxLength: 100 });
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Thumbprint = Type.String({ minLength: 64, maxLength: 200 });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const NewConnectionInput = Type.Object(
  {
    name: Text100,
    url: Url,
    apiKey: Type.Optional(ApiKey),
    folder: Type.Optional(Nullable(Text100)),
    colour: Type.Optional(Nullable(Type.String({ maxLength: 7 }))),
    /** A thumbprint the user confirmed in the test before saving. */
    pinnedCertificate: Type.Optional(Nullable(Thumbprint)),
  },
  { additionalProperties: false },
);

export const ConnectionPatchInput = Type.Object(
  {
    name: Type.Optional(Text100),
    url: Type.Optional(Url),
    apiKey: Type.Optional(ApiKey),
    folder: Type.Optional(Nullable(Text100)),
    colour: Type.Optional(Nullable(Type.String({ maxLength: 7 }))),
  },
  { additionalProperties: false },
);

/** A saved connection (its stored key), or what the editor holds before saving. */
export const TestTargetInput = Type.Union([
  Type.Object({ connectionId: Id }, { additionalProperties: false }),
  Type.Object({ url: Url, apiKey: ApiKey, pinnedCertificate: Type.Optional(Nullable(Thumbprint)) }, { additionalProperties: false }),
]);

export const JoinedClusterInput = Type.Object({ name: Text100, url: Url }, { additionalProperties: false });

/** Argument tuples, checked before a handler runs. */
export const BRIDGE_ARGS = {
  'app:info': Type.Tuple([]),
  'connections:list': Type.Tuple([]),
  'connections:add': Type.Tuple([NewConnectionInput]),
  'connections:update': Type.Tuple([Id, ConnectionPatchInput]),
  'connections:remove': Type.Tuple([Id]),
  'connections:test': Type.Tuple([TestTargetInput]),
  'connections:pinCertificate': Type.Tuple([Id, Thumbprint]),
  'connections:export': Type.Tuple([]),
  'connections:import': Type.Tuple([Type.Unknown()]),
  'fleet:list': Type.Tuple([]),
  'fleet:refresh': Type.Tuple([Id]),
  'notifications:list': Type.Tuple([]),
  'notifications:markRead': Type.Tuple([Type.Union([Type.Array(Id, { maxItems: 1000 }), Type.Literal('all')])]),
  'secrets:status': Type.Tuple([]),
  'secrets:useSessionOnly': Type.Tuple([]),
  'secrets:useEncryptedFile': Type.Tuple([Type.String({ minLength: 1, maxLength: 1000 })]),
  'api:base': Type.Tuple([Id]),
  'nodes:ping': Type.Tuple([Id, Type.String({ minLength: 1, maxLength: 200 })]),
  'embedded:joinCluster': Type.Tuple([JoinedClusterInput]),
} satisfies Record<string, TTuple>;

export type BridgeChannel = keyof typeof BRIDGE_ARGS;
export type BridgeArgs<C extends BridgeChannel> = Static<(typeof BRIDGE_ARGS)[C]>;

/** A connection as a window sees it: whether a key is stored, never the key. */
export interface ConnectionView extends Connection {
  hasKey: boolean;
}

/** The node this app runs itself (shoal-manager --embedded, the desktop app). */
export interface EmbeddedNodeInfo {
  url: string;
  nodeName: string;
  dataDir: string;
  /** It runs on a shared database: a node of a cluster (after moving to HA), watched through that cluster's connection. */
  shared: boolean;
  /** Where its master key is kept. */
  masterKey: { where: 'keychain' | 'file' | 'given'; note: string | null };
}

export interface AppInfo {
  product: 'Shoal manager';
  version: string;
  /** Which shell runs the manager: the desktop app, or shoal-manager serving a browser. */
  host: 'electron' | 'browser';
  /** The embedded node's connection, when this app runs a standalone one. */
  embeddedConnectionId: string | null;
  embeddedNode: EmbeddedNodeInfo | null;
}

export interface BridgeResults {
  'app:info': AppInfo;
  'connections:list': ConnectionView[];
  'connections:add': ConnectionView;
  'connections:update': ConnectionView;
  'connections:remove': null;
  'connections:test': ConnectionTest;
  'connections:pinCertificate': ConnectionView;
  'connections:export': ConnectionsExport;
  'connections:import': ImportResult;
  'fleet:list': ClusterHealth[];
  'fleet:refresh': null;
  'notifications:list': FleetNotification[];
  'notifications:markRead': null;
  'secrets:status': SecretsStatus;
  'secrets:useSessionOnly': SecretsStatus;
  'secrets:useEncryptedFile': SecretsStatus;
  /** Where the portal's API client sends this connection's calls (`<base>/api/…`); the shell adds the key. */
  'api:base': string;
  'nodes:ping': NodePingCheck;
  /** The new cluster's connection. */
  'embedded:joinCluster': ConnectionView;
}

/** What the manager tells windows without being asked. */
export interface BridgeEvents {
  /** A cluster's card after each check. */
  'fleet:health': ClusterHealth;
  /** A new fleet event (already de-duplicated): the OS notification and the centre's new entry. */
  notification: FleetNotification;
  'connections:changed': ConnectionView[];
  'secrets:changed': SecretsStatus;
  /** The desktop app asks a window to show a screen (a clicked OS notification). */
  'screen:open': FleetNotification['screen'];
}
export type BridgeEvent = { [E in keyof BridgeEvents]: { event: E; payload: BridgeEvents[E] } }[keyof BridgeEvents];

/** The handlers a host (Electron main, shoal-manager) serves: one per channel. */
export type BridgeHandlers = {
  [C in BridgeChannel]: (...args: BridgeArgs<C>) => BridgeResults[C] | Promise<BridgeResults[C]>;
};

/** What a window gets (`window.shoal` in Electron, the HTTP bridge in a browser). */
export interface ShoalBridge {
  invoke<C extends BridgeChannel>(channel: C, ...args: BridgeArgs<C>): Promise<BridgeResults[C]>;
  on<E extends keyof BridgeEvents>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void;
}
