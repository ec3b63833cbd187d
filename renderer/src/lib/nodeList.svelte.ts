import { api } from './api';
import { RemoteList } from './remoteList.svelte';
import type { NodePatch, ShoalNode } from '@shoal/server-core/contract';

/** The cluster's nodes, refreshed by whoever polls it, and the operator's changes to them. */
export class NodeList {
  readonly #list = new RemoteList(() => api.listNodes());

  get nodes(): ShoalNode[] {
    return this.#list.items;
  }
  get loaded(): boolean {
    return this.#list.loaded;
  }
  get error(): string | null {
    return this.#list.error;
  }

  refresh(): Promise<void> {
    return this.#list.refresh();
  }

  /** Applies `patch`; throws the server's error for the caller to show next to the control. */
  update(name: string, patch: NodePatch): Promise<ShoalNode> {
    return this.#list.change(() => api.updateNode(name, patch));
  }

  /** Forgets an Offline node; throws the server's error. */
  remove(name: string): Promise<void> {
    return this.#list.change(() => api.deleteNode(name));
  }
}
