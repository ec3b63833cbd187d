import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NODE_CREDENTIAL_HEADER } from '../auth/nodeCredential.js';
import { endpointUrl } from '../contract/endpoint.js';
import { internalEndpoints } from '../contract/tasks.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listNodes, nodeIsOffline } from '../nodes/registry.js';

/**
 * A task's log as the node that runs (or ran) it sees it. On a share, that node's mount
 * knows what it wrote; another node's mount can hide the new bytes behind a cached size for
 * as long as its attribute cache lasts (sshfs: 20 s). So a node asked for the log of a task
 * of another online node relays that node's answer, and reads the share itself only when
 * the other node cannot be reached.
 */
export const relayPath = (taskName: string): string => endpointUrl(internalEndpoints.relayTaskLog, { id: taskName });

/** The URL of the online node other than `self` that holds the task, if any. */
export async function originNodeUrl(shoal: ShoalDb, nodeName: string | null, self: string): Promise<string | undefined> {
  if (!nodeName || nodeName === self) return undefined;
  const [node] = await listNodes(shoal, nodeName);
  return node && !nodeIsOffline(node) && node.url ? node.url : undefined;
}

const CONNECT_TIMEOUT_MS = 5000;

export interface RelayRequest {
  origin: string;
  taskName: string;
  live: boolean;
  lastEventId?: string;
  /** A `Range` header to pass on (plain logs). */
  range?: string;
  credential: string;
  signal: AbortSignal;
}

/** The origin node's answer, or undefined when it cannot give one (down, refused, at its follower cap). */
export async function fetchRelayedLog(r: RelayRequest): Promise<Response | undefined> {
  const headers: Record<string, string> = { [NODE_CREDENTIAL_HEADER]: r.credential, accept: r.live ? 'text/event-stream' : 'text/plain' };
  if (r.lastEventId) headers['last-event-id'] = r.lastEventId;
  if (r.range) headers.range = r.range;
  // A deadline for the answer's headers only: the body of a live log lasts as long as the task.
  const connecting = new AbortController();
  const deadline = setTimeout(() => connecting.abort(), CONNECT_TIMEOUT_MS);
  try {
    // Never redirected: the node credential goes to the node that runs the task and nowhere else.
    const res = await fetch(`${r.origin}${relayPath(r.taskName)}`, { headers, redirect: 'error', signal: AbortSignal.any([r.signal, connecting.signal]) });
    if (res.ok && res.body) return res;
    await res.body?.cancel();
  } catch {
    // Unreachable: the caller reads the share.
  } finally {
    clearTimeout(deadline);
  }
  return undefined;
}

/** The relayed body as a Node stream (to send as it comes, with backpressure). */
export const relayedBody = (res: Response): Readable => Readable.fromWeb(res.body! as Parameters<typeof Readable.fromWeb>[0]);

/** Passes a relayed event stream's body on, bytes as they come: the origin already made every line safe. */
export async function pipeRelayedEvents(out: ServerResponse, res: Response): Promise<void> {
  await pipeline(relayedBody(res), out, { end: false }).catch(() => {});
}

/**
 * The task once a node has claimed it (or it ended without running), polling while it is
 * queued: which node to relay from is known only then. Undefined when the caller left.
 */
export async function claimedTask<T extends { state: string }>(load: () => Promise<T | undefined>, signal: AbortSignal, everyMs = 200): Promise<T | undefined> {
  for (;;) {
    const row = await load();
    if (!row || row.state !== 'Queued' || signal.aborted) return signal.aborted ? undefined : row;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
