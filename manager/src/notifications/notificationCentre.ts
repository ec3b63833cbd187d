/**
 * The notification centre: the recent fleet events, newest first, each to show once.
 * The same event again shortly after (a flapping node, a cluster that comes and goes) is
 * folded into the first one as a repeat rather than announced again: no storms.
 */
import crypto from 'node:crypto';
import type { FleetEvent } from '../health/fleetEvents.js';

export interface FleetNotification extends FleetEvent {
  id: string;
  read: boolean;
  /** How many more times the same event happened within the repeat window. */
  repeats: number;
}

export interface NotificationCentreOptions {
  /** How many notifications are kept. */
  keep?: number;
  /** The same kind for the same cluster and node within this window is a repeat. */
  repeatWindowMs?: number;
}

export class NotificationCentre {
  readonly #items: FleetNotification[] = [];
  readonly #listeners = new Set<(n: FleetNotification) => void>();
  readonly #keep: number;
  readonly #repeatWindowMs: number;

  constructor(o: NotificationCentreOptions = {}) {
    this.#keep = o.keep ?? 200;
    this.#repeatWindowMs = o.repeatWindowMs ?? 60_000;
  }

  /** Records an event; returns the new notification, or undefined when it was a repeat. */
  add(event: FleetEvent): FleetNotification | undefined {
    const key = keyOf(event);
    const earlier = this.#items.find((n) => keyOf(n) === key && Date.parse(event.at) - Date.parse(n.at) < this.#repeatWindowMs);
    if (earlier) {
      earlier.repeats++;
      return undefined;
    }
    const n: FleetNotification = { ...event, id: crypto.randomUUID(), read: false, repeats: 0 };
    this.#items.unshift(n);
    this.#items.length = Math.min(this.#items.length, this.#keep);
    for (const l of this.#listeners) l(n);
    return n;
  }

  list(): FleetNotification[] {
    return this.#items.map((n) => ({ ...n }));
  }

  markRead(ids: string[] | 'all'): void {
    for (const n of this.#items) if (ids === 'all' || ids.includes(n.id)) n.read = true;
  }

  subscribe(listener: (n: FleetNotification) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const keyOf = (e: FleetEvent) => `${e.kind}\u0000${e.connectionId}\u0000${e.node ?? ''}`;
