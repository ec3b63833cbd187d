/**
 * Entry of the Electron utility process that runs the embedded Shoal node.
 * Started by main (nodeHost.ts) with `utilityProcess.fork`; speaks the protocol in nodeMessages.ts.
 *
 * The node listens on 127.0.0.1 on a free port (port 0), so it never collides with a headless
 * node on 8050 and is not reachable from other machines.
 */
import type { RunningNode } from '@shoal/server-core';
import { isMainToNode, type EmbeddedNodeOptions, type NodeToMain } from './nodeMessages.js';

const parent = process.parentPort;
if (!parent) {
  process.stderr.write('embeddedNode.js must run in an Electron utility process (utilityProcess.fork).\n');
  process.exit(2);
}

/** Posting is asynchronous; give the message a moment to leave before the process ends. */
const EXIT_GRACE_MS = 100;

let starting: Promise<RunningNode | undefined> | undefined;
let stopping = false;

function post(message: NodeToMain): void {
  parent.postMessage(message);
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function fail(err: unknown): void {
  post({ type: 'failed', message: describe(err) });
  setTimeout(() => process.exit(1), EXIT_GRACE_MS);
}

async function start(options: EmbeddedNodeOptions): Promise<RunningNode> {
  // Imported here, not at the top, so a failure to load the server (for example better-sqlite3
  // built for another ABI) is reported to main as a message rather than lost on stderr.
  const { resolveNodeConfig, startNode } = await import('@shoal/server-core');
  const config = resolveNodeConfig({ dataDir: options.dataDir, host: '127.0.0.1', port: 0 });
  config.portalDir ??= options.portalDir;
  return startNode({
    config,
    adminPassword: options.adminPassword,
    onAdminCreated: (password) => post({ type: 'admin-created', password }),
  });
}

async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    const node = await starting; // undefined when it never started or failed to
    await node?.stop(reason);
    post({ type: 'stopped' });
    setTimeout(() => process.exit(0), EXIT_GRACE_MS);
  } catch (err) {
    fail(err);
  }
}

parent.on('message', (event) => {
  const message: unknown = event.data;
  if (!isMainToNode(message)) return;
  if (message.type === 'stop') {
    void stop(message.reason);
    return;
  }
  if (starting || stopping) return;
  starting = start(message.options).then(
    (node) => {
      post({ type: 'ready', url: node.url, dataDir: node.config.dataDir, nodeName: node.config.nodeName });
      return node;
    },
    (err: unknown) => {
      fail(err);
      return undefined;
    },
  );
});

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

post({ type: 'alive' });
