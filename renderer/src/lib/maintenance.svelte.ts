import type { ShoalNode, Task } from '@shoal/server-core/contract';
import type { NodePingCheck } from '@shoal/manager/bridge';
import { api, messageOf } from './api';
import { DEFAULT_CHECKLIST, maintenanceStep, type MaintenanceStep } from './maintenance';
import { managerHost } from './manager/host';

interface Saved {
  checklist: { text: string; done: boolean }[];
  balancerConfirmed: boolean;
  ended: boolean;
  log: { at: string; text: string }[];
}

/**
 * One node's maintenance flow, live: the node and its running tasks from the cluster, its ping
 * as this machine sees it (asked through the manager; a node's own portal cannot), and what the
 * operator ticked. Kept for the browser tab (sessionStorage), so a reload resumes the flow.
 */
export class MaintenanceFlow {
  #node = $state.raw<ShoalNode | null>(null);
  #tasks = $state.raw<Task[]>([]);
  #ping = $state.raw<NodePingCheck | null>(null);
  #error = $state<string | null>(null);
  #busy = $state(false);
  #saved = $state<Saved>({ checklist: DEFAULT_CHECKLIST.map((text) => ({ text, done: false })), balancerConfirmed: false, ended: false, log: [] });
  #lastStep: MaintenanceStep | null = null;
  readonly #storageKey: string;

  constructor(readonly nodeName: string) {
    this.#storageKey = `shoal-maintenance:${managerHost?.connectionId ?? location.host}:${nodeName}`;
    const kept = sessionStorage.getItem(this.#storageKey);
    if (kept) this.#saved = JSON.parse(kept) as Saved;
  }

  get node(): ShoalNode | null {
    return this.#node;
  }
  get tasks(): Task[] {
    return this.#tasks;
  }
  get ping(): NodePingCheck | null {
    return this.#ping;
  }
  /** The manager can ask the node's ping; a portal served by a node cannot. */
  get canPing(): boolean {
    return managerHost !== null;
  }
  get error(): string | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get checklist(): Saved['checklist'] {
    return this.#saved.checklist;
  }
  get balancerConfirmed(): boolean {
    return this.#saved.balancerConfirmed;
  }
  get log(): Saved['log'] {
    return this.#saved.log;
  }

  get step(): MaintenanceStep | null {
    if (!this.#node) return null;
    return maintenanceStep({
      node: this.#node,
      ping: this.#ping,
      balancerConfirmed: this.#saved.balancerConfirmed,
      workDone: this.#saved.checklist.every((i) => i.done),
      ended: this.#saved.ended,
    });
  }

  /** One look at the node, its tasks and its ping; notes each step reached. */
  async refresh(): Promise<void> {
    try {
      const [node, tasks, ping] = await Promise.all([
        api.getNode(this.nodeName),
        api.nodeTasks(this.nodeName),
        managerHost ? managerHost.bridge.invoke('nodes:ping', managerHost.connectionId ?? '', this.nodeName) : Promise.resolve(null),
      ]);
      this.#node = node;
      this.#tasks = tasks;
      this.#ping = ping;
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    }
    this.#noteStep();
  }

  drain(): Promise<void> {
    return this.#change(async () => {
      this.#saved.ended = false;
      this.#node = await api.updateNode(this.nodeName, { drain: true });
    });
  }

  /** Where the ping cannot be asked from here: the operator saw the balancer take the node out. */
  confirmBalancer(on: boolean): void {
    this.#saved.balancerConfirmed = on;
    this.#save();
  }

  tick(index: number, done: boolean): void {
    const item = this.#saved.checklist[index];
    if (item) item.done = done;
    this.#save();
  }

  addItem(text: string): void {
    if (text.trim()) this.#saved.checklist.push({ text: text.trim(), done: false });
    this.#save();
  }

  /** End maintenance: undrain; the flow then waits for Running and a ping of 200. */
  end(): Promise<void> {
    return this.#change(async () => {
      this.#saved.ended = true;
      this.#node = await api.updateNode(this.nodeName, { drain: false });
    });
  }

  /** Forget this flow (after it is done, or to start over). */
  reset(): void {
    sessionStorage.removeItem(this.#storageKey);
    this.#saved = { checklist: DEFAULT_CHECKLIST.map((text) => ({ text, done: false })), balancerConfirmed: false, ended: false, log: [] };
    this.#lastStep = null;
  }

  async #change(work: () => Promise<void>): Promise<void> {
    this.#busy = true;
    try {
      await work();
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    } finally {
      this.#busy = false;
      this.#save();
      await this.refresh();
    }
  }

  #noteStep(): void {
    const step = this.step;
    if (step === null || step === this.#lastStep) return;
    const first = this.#lastStep === null;
    this.#lastStep = step;
    if (first && this.#saved.log.length) return; // resumed: the log has it
    this.#saved.log.push({ at: new Date().toISOString(), text: STEP_REACHED[step](this.nodeName, this.#ping) });
    this.#save();
  }

  #save(): void {
    sessionStorage.setItem(this.#storageKey, JSON.stringify(this.#saved));
  }
}

const pingWords = (p: NodePingCheck | null) => (p?.reachable ? `its ping answers ${p.status}` : 'its ping cannot be asked from here');

/** The log line for reaching each step. */
const STEP_REACHED: Record<MaintenanceStep, (node: string, ping: NodePingCheck | null) => string> = {
  drain: (node, p) => `${node} takes tasks (${pingWords(p)}).`,
  idle: (node) => `${node} is draining: it takes no new tasks and finishes its running ones.`,
  balancer: (node, p) => `${node} runs no task any more (Drained); waiting for the balancer (${pingWords(p)}).`,
  work: (node, p) => `${node} is out of the balancer (${pingWords(p)}): ready for maintenance.`,
  undrain: (node) => `Maintenance of ${node} is done: ready to end it.`,
  back: (node, p) => `${node}'s drain is off; waiting for it to take traffic again (${pingWords(p)}).`,
  done: (node, p) => `${node} is Running and back in the balancer (${pingWords(p)}).`,
};
