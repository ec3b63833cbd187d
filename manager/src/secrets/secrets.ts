/**
 * The manager's secrets: which store holds the API keys, and the keys themselves.
 *
 * At start the OS keychain is probed. Where it works, keys go there. Where it does not (a Linux
 * desktop or server without a Secret Service), nothing is stored until the user picks one of
 * the two fallbacks the status offers: keys for this session only (memory), or a file encrypted
 * with a passphrase typed at start. Keys already held move to the store chosen next.
 */
import path from 'node:path';
import fs from 'node:fs';
import { EncryptedFileStore } from './encryptedFileStore.js';
import { OsKeychain } from '@shoal/server-core/keychain';
import { SessionSecretStore, type SecretStore, type SecretStoreKind } from './secretStore.js';

export const SECRETS_FILE = 'secrets.enc.json';

export interface SecretsStatus {
  /** Where keys go now; null until the user chose a fallback for a missing keychain. */
  store: SecretStoreKind | null;
  keychain: { available: boolean; problem: string | null };
  /** The passphrase-encrypted file: where it is, and whether one exists already (so the screen asks to unlock, not to create). */
  encryptedFile: { path: string; exists: boolean };
}

export class NoSecretStoreError extends Error {
  constructor(problem: string) {
    super(
      `No keychain is available here (${problem}). Choose where to keep API keys first: for this session only, or in a file encrypted with a passphrase.`,
    );
    this.name = 'NoSecretStoreError';
  }
}

export interface SecretsOptions {
  dataDir: string;
  /** Keychain service name; tests use their own. */
  keychainService?: string;
  /** Skip the keychain and start with this fallback (`shoal-manager --secrets session`). */
  initial?: 'session';
}

export class Secrets {
  #store: SecretStore | undefined;
  #keychainProblem: string | null = null;
  readonly #file: string;
  readonly #listeners = new Set<(s: SecretsStatus) => void>();

  private constructor(file: string) {
    this.#file = file;
  }

  static async open(o: SecretsOptions): Promise<Secrets> {
    const secrets = new Secrets(path.join(o.dataDir, SECRETS_FILE));
    if (o.initial === 'session') {
      secrets.#keychainProblem = 'not used: the manager was started with --secrets session';
      secrets.#store = new SessionSecretStore();
      return secrets;
    }
    const keychain = new OsKeychain(o.keychainService);
    const problem = await keychain.probe();
    if (problem === undefined) secrets.#store = keychain;
    else secrets.#keychainProblem = problem;
    return secrets;
  }

  status(): SecretsStatus {
    return {
      store: this.#store?.kind ?? null,
      keychain: { available: this.#keychainProblem === null, problem: this.#keychainProblem },
      encryptedFile: { path: this.#file, exists: fs.existsSync(this.#file) },
    };
  }

  onChange(listener: (s: SecretsStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keys for this session only: they are forgotten when the manager stops. */
  async useSessionOnly(accounts: string[]): Promise<SecretsStatus> {
    return this.#switchTo(new SessionSecretStore(), accounts);
  }

  /** Opens (or creates) the encrypted file; a wrong passphrase throws WrongPassphraseError. */
  async useEncryptedFile(passphrase: string, accounts: string[]): Promise<SecretsStatus> {
    return this.#switchTo(await EncryptedFileStore.open(this.#file, passphrase), accounts);
  }

  async get(account: string): Promise<string | undefined> {
    return this.#current().get(account);
  }
  async set(account: string, secret: string): Promise<void> {
    await this.#current().set(account, secret);
  }
  async delete(account: string): Promise<void> {
    await this.#current().delete(account);
  }

  /** Throws NoSecretStoreError while no store is chosen. */
  assertReady(): void {
    this.#current();
  }

  #current(): SecretStore {
    if (!this.#store) throw new NoSecretStoreError(this.#keychainProblem ?? 'unknown');
    return this.#store;
  }

  /** The keychain, once it works, stays: the fallbacks are for where there is none. */
  async #switchTo(next: SecretStore, accounts: string[]): Promise<SecretsStatus> {
    if (this.#store?.kind === 'keychain') throw new Error('The OS keychain is in use; keys are not moved out of it.');
    const previous = this.#store;
    if (previous) {
      for (const account of accounts) {
        const secret = await previous.get(account);
        if (secret !== undefined && (await next.get(account)) === undefined) await next.set(account, secret);
      }
    }
    this.#store = next;
    const status = this.status();
    for (const l of this.#listeners) l(status);
    return status;
  }
}
