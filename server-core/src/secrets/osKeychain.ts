/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and on
 * Linux the Secret Service (GNOME Keyring, KWallet) over the session's D-Bus. On Linux the entry
 * is pinned to the Secret Service: the library would otherwise fall back to the kernel keyring,
 * which forgets everything at logout, and the user would believe the key was kept.
 *
 * The one keychain client of Shoal: the manager keeps cluster API keys in it, and a desktop's
 * embedded node its master key (`@shoal/server-core/keychain`, which loads nothing else). Only
 * loaded where a keychain is wanted, so headless nodes never load the native module.
 */
import crypto from 'node:crypto';
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';

export const DEFAULT_KEYCHAIN_SERVICE = 'Shoal Manager';

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

export class OsKeychain {
  readonly kind = 'keychain' as const;

  constructor(readonly service = DEFAULT_KEYCHAIN_SERVICE) {}

  #entry(account: string): AsyncEntry {
    return new AsyncEntry(this.service, account, ENTRY_OPTIONS);
  }

  async get(account: string): Promise<string | undefined> {
    return (await this.#entry(account).getPassword()) ?? undefined;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.#entry(account).setPassword(secret);
  }

  async delete(account: string): Promise<void> {
    await this.#entry(account).deleteCredential();
  }

  /**
   * Writes, reads back and deletes a throwaway entry. Resolves undefined when the keychain
   * works, or the reason it does not, in words.
   */
  async probe(): Promise<string | undefined> {
    const account = `probe-${crypto.randomBytes(6).toString('hex')}`;
    const value = crypto.randomBytes(12).toString('base64');
    try {
      await this.set(account, value);
      const back = await this.get(account);
      await this.delete(account);
      return back === value ? undefined : 'the keychain did not give back what was stored in it';
    } catch (err) {
      return explainKeychainError(err);
    }
  }
}

export function explainKeychainError(err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  if (process.platform === 'linux' && /dbus|secret.?service|org\.freedesktop/i.test(detail)) {
    return `no Secret Service (GNOME Keyring or KWallet) answers on this session's D-Bus (${detail})`;
  }
  return detail;
}
