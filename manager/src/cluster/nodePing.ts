/**
 * A node's own health check, as its load balancer sees it: GET <node url>/api/nodes/ping answers
 * 200 (takes traffic), 418 (draining: the balancer takes it out) or 503. The maintenance flow
 * asks it from this machine, at the URL the node registered in the cluster. No key is sent: the
 * ping is anonymous, and the key belongs to the balancer's address only.
 *
 * From a desktop, a node's own address is often not reachable (a private network, a name only
 * the balancer resolves); the answer then says so in words, and what the cluster itself says
 * about the node (drained, so its ping answers 418) is shown instead.
 */
import type { ShoalNode } from '@shoal/server-core/contract';
import { describeNetworkError } from './clusterError.js';

export interface NodePingCheck {
  node: string;
  /** The URL the node registered, that the balancer checks. */
  url: string;
  checkedAt: string;
  /** The ping answered (any status); false when this machine cannot reach the node. */
  reachable: boolean;
  status: number | null;
  /** What the answer's body says about drain; null when there was none. */
  drain: boolean | null;
  /** Why it could not be asked, and where to look instead. */
  problem: string | null;
}

export async function pingNode(node: Pick<ShoalNode, 'name' | 'url'>, timeoutMs = 3000): Promise<NodePingCheck> {
  const checkedAt = new Date().toISOString();
  const base = { node: node.name, url: node.url, checkedAt };
  let target: URL;
  try {
    target = new URL('/api/nodes/ping', node.url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ...base, reachable: false, status: null, drain: null, problem: `${node.name} registered "${node.url}", which is not an http(s) address this machine can ask. ${balancerHint(node.name)}` };
  }
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual', headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as { drain?: unknown } | null;
    return { ...base, reachable: true, status: res.status, drain: typeof body?.drain === 'boolean' ? body.drain : null, problem: null };
  } catch (err) {
    const why = describeNetworkError((err as { cause?: unknown }).cause ?? err, target.host).message;
    return { ...base, reachable: false, status: null, drain: null, problem: `This computer cannot ask ${node.name}'s ping at ${target.href}: ${why} ${balancerHint(node.name)}` };
  }
}

const balancerHint = (node: string) =>
  `The load balancer asks it from where it runs: look at the balancer's own view instead (HAProxy: its stats page or \`show servers state\` on its admin socket), where ${node} should be DOWN while it is drained (its ping answers 418) and UP again once it answers 200.`;
