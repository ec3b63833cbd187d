import { untrack } from 'svelte';
import { api, messageOf } from './api';
import { EARLIER_BYTES, LogWindow, MAX_LINES, type RawLine } from './logWindow';
import type { LogLine } from './logLine';
import type { TaskState } from '@shoal/server-core/contract';
import { isTaskState } from './taskStates';

export type FollowStatus = 'connecting' | 'live' | 'recovering' | 'ended';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/**
 * Follows a task's log live over Server-Sent Events, holding a bounded window of lines.
 *
 * Every line's event id is its end offset in the log: a reconnecting EventSource sends the
 * last one back (Last-Event-ID) and a new connection asks to start after it (`?from=`), so
 * no line is shown twice and none is fetched again. Past MAX_LINES the oldest lines are
 * dropped; `loadEarlier()` brings back the text before the window, by byte range, and keeps
 * the window from trimming until `followLatest()`.
 */
export class LogFollower {
  #window = $state.raw(new LogWindow());
  #status = $state<FollowStatus>('connecting');
  #error = $state<string | null>(null);
  #loadingEarlier = $state(false);
  #pending: RawLine[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #source: EventSource | null = null;
  #stopped = false;
  /** While the reader looks at earlier lines, the window grows instead of trimming. */
  #keepEarlier = false;

  constructor(
    readonly taskId: string,
    /** Called once the log is complete, with the task's final state when known. */
    private readonly onEnd: (state: TaskState | null) => void = () => {},
  ) {}

  get lines(): LogLine[] {
    return this.#window.lines;
  }
  get status(): FollowStatus {
    return this.#status;
  }
  /** Why following stalled; cleared when it works again. */
  get error(): string | null {
    return this.#error;
  }
  /** Lines before the window exist (dropped to keep the page light, or not loaded yet). */
  get hasEarlier(): boolean {
    return this.#window.hasEarlier;
  }
  get loadingEarlier(): boolean {
    return this.#loadingEarlier;
  }

  start(): void {
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#closeSource();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#flushTimer);
  }

  async loadEarlier(): Promise<void> {
    const w = this.#window;
    if (!w.hasEarlier || this.#loadingEarlier) return;
    this.#loadingEarlier = true;
    try {
      const from = Math.max(0, w.start - EARLIER_BYTES);
      const text = await api.taskLogRange(this.taskId, from, w.start - 1);
      this.#keepEarlier = true;
      this.#window = this.#window.prepend(text, from);
    } catch (err) {
      this.#error = `Could not load earlier lines: ${messageOf(err)}`;
    } finally {
      this.#loadingEarlier = false;
    }
  }

  /** Back to the latest lines: the window trims to its bound again. */
  followLatest(): void {
    this.#keepEarlier = false;
    this.#window = this.#window.trimmed(MAX_LINES);
  }

  #connect(): void {
    if (this.#stopped) return;
    // Untracked: start() runs inside the page's effect, which must not re-run (and stop us) on every new line.
    const source = api.followTaskLog(this.taskId, untrack(() => this.#window.end));
    this.#source = source;
    source.onopen = () => {
      this.#status = 'live';
      this.#error = null;
      this.#retryMs = FIRST_RETRY_MS;
    };
    source.onmessage = (e: MessageEvent<string>) => {
      this.#pending.push({ text: e.data, end: Number(e.lastEventId) || untrack(() => this.#window.end) + 1 });
      this.#flushTimer ??= setTimeout(() => this.#flush(), 50);
    };
    source.addEventListener('end', (e: MessageEvent<string>) => {
      this.#closeSource();
      this.#flush();
      this.#status = 'ended';
      this.#error = null;
      this.onEnd(stateFrom(e.data));
    });
    source.onerror = () => {
      this.#flush();
      if (this.#stopped) return;
      this.#status = 'recovering';
      // Still CONNECTING: the browser reconnects by itself, sending the last event id.
      if (source.readyState !== EventSource.CLOSED) return;
      this.#closeSource();
      this.#error = 'The live log was interrupted. Retrying…';
      this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    };
  }

  #closeSource(): void {
    this.#source?.close();
    this.#source = null;
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (!this.#pending.length) return;
    this.#window = this.#window.append(this.#pending, this.#keepEarlier ? Infinity : MAX_LINES);
    this.#pending = [];
  }
}

function stateFrom(data: string): TaskState | null {
  try {
    const state: unknown = (JSON.parse(data) as { state?: unknown }).state;
    return typeof state === 'string' && isTaskState(state) ? state : null;
  } catch {
    return null;
  }
}
