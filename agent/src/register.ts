import type { TargetRegistration, TargetRegistrationBody } from '@shoal/server-core/contract';
import type { AgentDataDir, Registration } from './dataDir.js';

export interface RegisterOptions {
  server: string;
  apiKey?: string;
  token?: string;
  name: string;
  environments: string[];
  roles: string[];
  space: string;
  comms?: string;
  /** Listening: the port it opens and the address nodes dial (https://host:port). */
  listen?: { port: number; address: string };
}

/** The server refused or could not be reached: exit 1 with its message. */
export class RegistrationError extends Error {}

/**
 * Registers this agent through the ordinary API (an API key, or a one-time token) with the
 * thumbprint of its own certificate, and keeps what the answer says to pin and where to poll
 * (or, listening, the port to open and the address nodes dial).
 */
export async function register(dir: AgentDataDir, o: RegisterOptions): Promise<Registration> {
  const identity = await dir.identity();
  const body: TargetRegistrationBody = { name: o.name, environmentIds: o.environments, roles: o.roles, thumbprint: identity.thumbprint, ...(o.listen ? { mode: 'Listening', address: o.listen.address } : { mode: 'Polling' }) };
  const base = o.server.replace(/\/+$/, '');
  const space = encodeURIComponent(o.space);
  const url = o.token ? `${base}/api/${space}/targets/register` : `${base}/api/${space}/targets`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(o.token ? { ...body, token: o.token } : body), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new RegistrationError(`cannot reach ${base}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new RegistrationError(`${base} answered ${res.status} without JSON; is it a Shoal server?`);
  }
  if (res.status !== 201) throw new RegistrationError(`registration refused (${res.status}): ${(answer as { error?: { message?: string } }).error?.message ?? text.slice(0, 200)}`);
  const r = answer as TargetRegistration;
  const registration: Registration = {
    serverUrl: base,
    commsUrl: o.comms ?? r.commsUrl,
    spaceId: o.space,
    targetId: r.target.id,
    name: r.target.name,
    clusterThumbprint: r.clusterThumbprint,
    clusterCertificate: r.clusterCertificate,
    ...(o.listen ? { mode: 'Listening' as const, listenPort: o.listen.port, address: o.listen.address } : { mode: 'Polling' as const }),
  };
  dir.saveRegistration(registration);
  return registration;
}
