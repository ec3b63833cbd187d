/** Why a call to a cluster failed, in words a card or a dialog can show as they are. */
export type ClusterErrorCode =
  | 'Unreachable'
  | 'Timeout'
  | 'Tls'
  | 'CertificateChanged'
  | 'NoApiKey'
  | 'KeyRefused'
  | 'Forbidden'
  | 'HttpError'
  | 'BadResponse';

export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** Words for a failed connection (DNS, refused, reset, timeout); TLS errors are worded where they happen. */
export function describeNetworkError(err: unknown, target: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const e = err as NodeJS.ErrnoException & { name?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ClusterError('Unreachable', `Nothing answers at ${target} (connection refused).`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ClusterError('Unreachable', `The name in ${target} does not resolve (${e.code}).`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ClusterError('Unreachable', `${target} closed the connection (${e.code}).`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ClusterError('Unreachable', `There is no route to ${target} (${e.code}).`);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ClusterError('Timeout', `${target} did not answer in time.`);
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new ClusterError('Timeout', `${target} did not answer in time.`);
  return new ClusterError('Unreachable', `${target} cannot be reached: ${e.message ?? String(err)}`);
}
