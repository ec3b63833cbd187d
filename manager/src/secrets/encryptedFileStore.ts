/**
 * Keys in one file encrypted with a passphrase, for machines without a keychain: scrypt derives
 * the key, AES-256-GCM seals the whole map (so a wrong passphrase or a tampered file is detected).
 * The passphrase is typed at start and kept only as the derived key, in memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomically } from '../atomicFile.js';
import type { SecretStore } from './secretStore.js';

interface SealedFile {
  format: 'shoal-manager-secrets';
  version: 1;
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number };
  iv: string;
  tag: string;
  data: string;
}

const KDF = { N: 2 ** 15, r: 8, p: 1 };
/** scrypt needs 128·N·r bytes; Node's default cap is exactly that, so give it room. */
const MAX_MEM = 64 * 1024 * 1024;

export class WrongPassphraseError extends Error {
  constructor(file: string) {
    super(`The passphrase does not open ${file} (or the file was changed).`);
    this.name = 'WrongPassphraseError';
  }
}

export class EncryptedFileStore implements SecretStore {
  readonly kind = 'encrypted-file';

  private constructor(
    readonly file: string,
    readonly kdf: SealedFile['kdf'],
    readonly key: Buffer,
    readonly secrets: Map<string, string>,
  ) {}

  /** Opens the file with `passphrase`, or creates it (empty) when there is none. */
  static async open(file: string, passphrase: string): Promise<EncryptedFileStore> {
    if (!passphrase) throw new Error('The passphrase must not be empty.');
    if (!fs.existsSync(file)) {
      const kdf = { name: 'scrypt' as const, salt: crypto.randomBytes(16).toString('base64'), ...KDF };
      const store = new EncryptedFileStore(file, kdf, await derive(passphrase, kdf), new Map());
      store.#write();
      return store;
    }
    const sealed = JSON.parse(fs.readFileSync(file, 'utf8')) as SealedFile;
    if (sealed.format !== 'shoal-manager-secrets' || sealed.version !== 1) throw new Error(`${file} is not a Shoal manager secrets file.`);
    const key = await derive(passphrase, sealed.kdf);
    let plain: string;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new WrongPassphraseError(file);
    }
    return new EncryptedFileStore(file, sealed.kdf, key, new Map(Object.entries(JSON.parse(plain) as Record<string, string>)));
  }

  async get(account: string): Promise<string | undefined> {
    return this.secrets.get(account);
  }
  async set(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
    this.#write();
  }
  async delete(account: string): Promise<void> {
    if (this.secrets.delete(account)) this.#write();
  }

  #write(): void {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(Object.fromEntries(this.secrets)), 'utf8'), cipher.final()]);
    const sealed: SealedFile = { format: 'shoal-manager-secrets', version: 1, kdf: this.kdf, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    writeFileAtomically(this.file, `${JSON.stringify(sealed)}\n`);
  }
}

function derive(passphrase: string, kdf: SealedFile['kdf']): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: MAX_MEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}
