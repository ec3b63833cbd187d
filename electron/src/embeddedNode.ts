/**
 * Entry of the Electron utility process that runs the embedded Shoal node.
 * Started by main (nodeHost.ts) with `utilityProcess.fork`; speaks the protocol in nodeMessages.ts.
 *
 * The node is the manager's embedded node (@shoal/manager/embedded): standalone, on 127.0.0.1 at a
 * free port, so it never collides with a headless node on 8050 and is not reachable from other
 * machines; its master key in the OS keychain where the app has one; one API key for the manager.
 */
import type { EmbeddedNode } from '@shoal/manager/embedded';
import { isMainToNode, type EmbeddedNodeOptions, type NodeToMain } from './nodeMessages.js';

const parent = process.parentPort;
if (!parent) {
  process.stderr.write('embeddedNode.js must run in an Electron utility process (utilityProcess.fork).\n');
  process.exit(2);
}

/** Posting is asynchronous; give the message a moment to leave before the process ends. */
const EXIT_GRACE_MS = 100;

let starting: Promise<EmbeddedNode | undefined> | undefined;
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

async function start(options: EmbeddedNodeOptions): Promise<EmbeddedNode> {
  // Imported here, not at the top, so a failure to load the server (for example better-sqlite3
  // built for another ABI) is reported to main as a message rather than lost on stderr.
  const { startEmbeddedNode } = await import('@shoal/manager/embedded');
  return startEmbeddedNode({ ...options, onAdminCreated: (password) => post({ type: 'admin-created', password }) });
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
    async (node) => {
      const { attachedNode } = await import('@shoal/manager/embedded');
      post({ type: 'ready', node: attachedNode(node) });
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
