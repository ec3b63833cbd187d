import crypto, { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * Certificates of the agents' channel: each agent and each cluster makes its own, self-signed;
 * the other side pins its thumbprint. No certificate authority takes part. Imported by
 * `shoal-agent` too (`@shoal/server-core/certificates`), so it depends on nothing else here.
 */
export interface KeyAndCertificate {
  /** PKCS#8 PEM. */
  key: string;
  /** PEM. */
  cert: string;
  thumbprint: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const TEN_YEARS_MS = 10 * 365 * 86_400_000;

/** SHA-256 of the DER certificate, upper-case hex without separators (64 characters). */
export function thumbprintOf(cert: string | Buffer | crypto.X509Certificate): string {
  const c = cert instanceof crypto.X509Certificate ? cert : new crypto.X509Certificate(cert);
  return c.fingerprint256.replace(/:/g, '');
}

/** What `getPeerCertificate()` gives: its DER bytes' thumbprint. */
export const thumbprintOfDer = (der: Buffer): string => crypto.createHash('sha256').update(der).digest('hex').toUpperCase();

/** A new ECDSA P-256 key pair and a self-signed certificate for it, valid ten years. */
export async function createSelfSignedCertificate(commonName: string): Promise<KeyAndCertificate> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto.randomBytes(12).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, '_')}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + TEN_YEARS_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const cert = certificate.toString('pem');
  return { key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`, cert, thumbprint: thumbprintOf(cert) };
}
