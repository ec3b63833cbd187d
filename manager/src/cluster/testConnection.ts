/**
 * "Test connection": what the connection editor shows before saving — the cluster's version,
 * its node count, the key's user and roles — or what stands in the way, in words (an unknown
 * certificate with its thumbprint to confirm, a changed pinned one, a refused key, no answer).
 */
import { inspectCertificate, type CertificateInfo } from './certificates.js';
import { ClusterClient, type ClusterTarget } from './clusterClient.js';
import { ClusterError, describeNetworkError } from './clusterError.js';
import type { RootDocument, ShoalNode, User } from '@shoal/server-core/contract';
import { clusterVersionOf } from './clusterVersion.js';

export interface ConnectionTest {
  ok: boolean;
  url: string;
  version: string | null;
  nodeCount: number | null;
  user: { username: string; roles: string[]; isAdmin: boolean } | null;
  /** https only: the certificate the server shows. */
  certificate: CertificateInfo | null;
  /** True when the certificate is untrusted but could be confirmed and pinned. */
  canPin: boolean;
  /** What went wrong, in words; null when ok. */
  problem: string | null;
  code: string | null;
}

export async function testConnection(target: ClusterTarget, apiKey: string | undefined, timeoutMs = 10_000): Promise<ConnectionTest> {
  const result: ConnectionTest = { ok: false, url: target.url, version: null, nodeCount: null, user: null, certificate: null, canPin: false, problem: null, code: null };
  const failed = (err: unknown) => {
    const e = describeNetworkError(err, new URL(target.url).host);
    return { ...result, problem: e.message, code: e.code };
  };
  if (new URL(target.url).protocol === 'https:') {
    try {
      result.certificate = await inspectCertificate(target.url, timeoutMs);
    } catch (err) {
      return failed(err);
    }
    const cert = result.certificate;
    if (target.pinnedCertificate && cert.thumbprint !== target.pinnedCertificate) {
      return failed(new ClusterError('CertificateChanged', `The certificate has changed: it was confirmed as ${target.pinnedCertificate} and is now ${cert.thumbprint}.`));
    }
    if (!target.pinnedCertificate && !cert.trusted) {
      return { ...result, canPin: true, code: 'Tls', problem: `${cert.problem} If ${cert.thumbprint} is the thumbprint the cluster's administrator gave you, confirm it to pin this certificate.` };
    }
  }
  const client = new ClusterClient(target, async () => apiKey, { keepAlive: false });
  try {
    const nodes = await client.json<ShoalNode[]>('GET', '/api/nodes', { timeoutMs });
    const me = await client.json<User>('GET', '/api/users/me', { timeoutMs });
    result.nodeCount = nodes.length;
    result.version = (await rootVersion(client, timeoutMs)) ?? clusterVersionOf(nodes);
    result.user = { username: me.username, roles: me.roles ?? [], isAdmin: !!me.isAdmin };
    return { ...result, ok: true };
  } catch (err) {
    return failed(err);
  } finally {
    client.close();
  }
}

/** The version in the root document (GET /api); nodes older than it have none, and then their nodes' version counts. */
async function rootVersion(client: ClusterClient, timeoutMs: number): Promise<string | undefined> {
  try {
    const root = await client.json<Partial<RootDocument>>('GET', '/api', { timeoutMs });
    return typeof root?.version === 'string' ? root.version : undefined;
  } catch {
    return undefined;
  }
}
