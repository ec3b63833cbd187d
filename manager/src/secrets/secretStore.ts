/** Where API keys are kept. Accounts are connection ids; values are the keys themselves. */
export type SecretStoreKind = 'keychain' | 'session' | 'encrypted-file';

export interface SecretStore {
  readonly kind: SecretStoreKind;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

/** Keys held in this process's memory only: gone when the manager stops. */
export class SessionSecretStore implements SecretStore {
  readonly kind = 'session';
  readonly #secrets = new Map<string, string>();

  async get(account: string): Promise<string | undefined> {
    return this.#secrets.get(account);
  }
  async set(account: string, secret: string): Promise<void> {
    this.#secrets.set(account, secret);
  }
  async delete(account: string): Promise<void> {
    this.#secrets.delete(account);
  }
}
