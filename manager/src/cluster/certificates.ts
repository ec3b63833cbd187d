/**
 * A cluster's TLS certificate as the user sees it before pinning: its SHA-256 thumbprint,
 * who it names, and what (if anything) is wrong with it, in words.
 */
import net from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';

export interface CertificateInfo {
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by colons (what the pin stores). */
  thumbprint: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
  /** Trusted by this machine's authorities and valid for the host name. */
  trusted: boolean;
  /** Why it is not trusted, in words; null when it is. */
  problem: string | null;
}

const THUMBPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

export const isThumbprint = (s: string): boolean => THUMBPRINT.test(s);

/** Accepts hex with or without colons or spaces, any case; undefined when it is not 32 bytes of hex. */
export function normalizeThumbprint(s: string): string | undefined {
  const hex = s.replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

const names = (x: PeerCertificate['subject'] | undefined) =>
  x ? Object.entries(x).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '';

/** Words for the codes Node's TLS uses when a certificate is not trusted. */
export function describeTlsProblem(code: string, cert?: PeerCertificate): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'The certificate is self-signed: no authority this machine trusts vouches for it.';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'The certificate comes from a private certificate authority this machine does not trust.';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return "The certificate's issuer is unknown to this machine (a private authority, or the server does not send its intermediate certificates).";
    case 'CERT_HAS_EXPIRED':
      return `The certificate expired${cert?.valid_to ? ` on ${cert.valid_to}` : ''}.`;
    case 'CERT_NOT_YET_VALID':
      return `The certificate is not valid yet${cert?.valid_from ? ` (from ${cert.valid_from})` : ''}.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The certificate is for ${cert?.subjectaltname ?? names(cert?.subject) ?? 'another name'}, not for this address.`;
    default:
      return `The certificate is not trusted (${code}).`;
  }
}

export function describeCertificate(socket: TLSSocket, host: string): CertificateInfo {
  const cert = socket.getPeerCertificate();
  let problem: string | null = null;
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    problem = describeTlsProblem(code, cert);
  } else {
    const mismatch = tls.checkServerIdentity(host, cert);
    if (mismatch) problem = describeTlsProblem('ERR_TLS_CERT_ALTNAME_INVALID', cert);
  }
  return {
    thumbprint: cert.fingerprint256,
    subject: names(cert.subject),
    issuer: names(cert.issuer),
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    selfSigned: names(cert.subject) === names(cert.issuer),
    trusted: problem === null,
    problem,
  };
}

/** Connects to an https URL only to read its certificate (nothing is sent). */
export function inspectCertificate(url: string, timeoutMs = 10_000): Promise<CertificateInfo> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port: Number(u.port || 443),
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const info = describeCertificate(socket, host);
      socket.destroy();
      resolve(info);
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
  });
}
