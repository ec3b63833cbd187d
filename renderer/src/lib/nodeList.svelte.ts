import { api, messageOf } from './api';
import type { NodePatch, ShoalNode } from '@shoal/server-core/contract';

/** The cluster's nodes, refreshed by whoever polls it, and the operator's changes to them. */
export class NodeList {
  #nodes = $state.raw<ShoalNode[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  /** Bumped by every change, so a poll that started before it cannot undo what it shows. */
  #generation = 0;

  get nodes(): ShoalNode[] {
    return this.#nodes;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }

  async refresh(): Promise<void> {
    const generation = this.#generation;
    try {
      const nodes = await api.listNodes();
      if (generation !== this.#generation) return;
      this.#nodes = nodes;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  /** Applies `patch`; throws the server's error for the caller to show next to the control. */
  async update(name: string, patch: NodePatch): Promise<ShoalNode> {
    this.#generation++;
    const node = await api.updateNode(name, patch);
    this.#generation++;
    this.#nodes = this.#nodes.map((n) => (n.name === name ? node : n));
    return node;
  }

  /** Forgets an Offline node; throws the server's error. */
  async remove(name: string): Promise<void> {
    this.#generation++;
    await api.deleteNode(name);
    this.#generation++;
    this.#nodes = this.#nodes.filter((n) => n.name !== name);
  }
}
