import type { ConnectionTest, ConnectionView } from '@shoal/manager/bridge';
import { CallState } from '../callState.svelte';
import type { ShoalBridge } from './bridge';

/**
 * The connection editor: the fields, "Test connection" (the cluster's version, nodes, the key's
 * user and roles, or what is wrong), confirming an untrusted certificate's thumbprint to pin it,
 * and saving. The API key goes to the manager and is never read back: editing leaves it empty,
 * which keeps the stored one.
 */
export class ConnectionEditor {
  name = $state('');
  url = $state('');
  apiKey = $state('');
  folder = $state('');
  colour = $state('');
  /** The user confirmed the certificate the last test showed. */
  trustCertificate = $state(false);
  readonly testing = new CallState();
  readonly saving = new CallState();
  #test = $state.raw<ConnectionTest | null>(null);

  constructor(
    private readonly bridge: ShoalBridge,
    /** null: a new connection. */
    readonly editing: ConnectionView | null,
  ) {
    if (editing) {
      this.name = editing.name;
      this.url = editing.url;
      this.folder = editing.folder ?? '';
      this.colour = editing.colour ?? '';
    }
  }

  get test(): ConnectionTest | null {
    return this.#test;
  }

  /** The thumbprint to pin with the save: the one the test showed, once confirmed. */
  get #pin(): string | null {
    return this.trustCertificate && this.#test?.canPin && this.#test.certificate ? this.#test.certificate.thumbprint : null;
  }

  async runTest(): Promise<void> {
    this.trustCertificate = false;
    await this.testing.run(async () => {
      const useStored = this.editing && !this.apiKey && this.url === this.editing.url;
      this.#test = await this.bridge.invoke(
        'connections:test',
        useStored ? { connectionId: this.editing!.id } : { url: this.url.trim(), apiKey: this.apiKey, pinnedCertificate: this.editing?.pinnedCertificate ?? null },
      );
    });
  }

  /** Resolves the saved connection, or null when the save failed (the words in `saving.error`). */
  async save(): Promise<ConnectionView | null> {
    let saved: ConnectionView | null = null;
    const fields = { name: this.name.trim(), url: this.url.trim(), folder: this.folder.trim() || null, colour: this.colour || null };
    const key = this.apiKey ? { apiKey: this.apiKey } : {};
    await this.saving.run(async () => {
      if (!this.editing) {
        saved = await this.bridge.invoke('connections:add', { ...fields, ...key, pinnedCertificate: this.#pin });
        return;
      }
      saved = await this.bridge.invoke('connections:update', this.editing.id, { ...fields, ...key });
      if (this.#pin) saved = await this.bridge.invoke('connections:pinCertificate', this.editing.id, this.#pin);
    });
    if (saved) this.apiKey = '';
    return saved;
  }
}
