import { api, messageOf } from './api';
import { parseLogLine, splitLog, type LogLine } from './logLine';
import { isFinalTaskState, type TaskState } from '@shoal/server-core/contract';
import { isTaskState } from './taskStates';

export type FollowStatus = 'connecting' | 'live' | 'recovering' | 'ended';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/**
 * Follows a task's log live over Server-Sent Events.
 *
 * The node replays the log from its first line on every connection and has no event ids,
 * so a blind EventSource reconnect would show lines twice. Instead: each connection counts
 * the lines it has delivered and keeps only those past what is already shown; on `end` the
 * source is closed; on an error it is closed too, the whole text log is fetched (the
 * truth), and only a task still running gets a new connection, after a back-off.
 */
export class LogFollower {
  #lines = $state.raw<LogLine[]>([]);
  #status = $state<FollowStatus>('connecting');
  #error = $state<string | null>(null);
  #pending: string[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #source: EventSource | null = null;
  #deliveredOnConnection = 0;
  #stopped = false;

  constructor(
    readonly taskId: string,
    /** Called once the log is complete, with the task's final state when known. */
    private readonly onEnd: (state: TaskState | null) => void = () => {},
  ) {}

  get lines(): LogLine[] {
    return this.#lines;
  }
  get status(): FollowStatus {
    return this.#status;
  }
  /** Why following stalled; cleared when it works again. */
  get error(): string | null {
    return this.#error;
  }

  start(): void {
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#source?.close();
    this.#source = null;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#flushTimer);
  }

  /** Lines shown or about to be. */
  get #known(): number {
    return this.#lines.length + this.#pending.length;
  }

  #connect(): void {
    if (this.#stopped) return;
    const source = api.followTaskLog(this.taskId);
    this.#source = source;
    this.#deliveredOnConnection = 0;
    source.onopen = () => {
      this.#deliveredOnConnection = 0;
      this.#status = 'live';
      this.#error = null;
      this.#retryMs = FIRST_RETRY_MS;
    };
    source.onmessage = (e: MessageEvent<string>) => {
      if (this.#deliveredOnConnection++ < this.#known) return; // already shown
      this.#pending.push(e.data);
      this.#flushTimer ??= setTimeout(() => this.#flush(), 50);
    };
    source.addEventListener('end', (e: MessageEvent<string>) => {
      this.#closeSource();
      this.#flush();
      this.#finish(stateFrom(e.data));
    });
    source.onerror = () => {
      this.#closeSource();
      if (!this.#stopped) void this.#recover();
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
    const start = this.#lines.length;
    this.#lines = this.#lines.concat(this.#pending.map((raw, i) => parseLogLine(raw, start + i + 1)));
    this.#pending = [];
  }

  #finish(state: TaskState | null): void {
    this.#status = 'ended';
    this.#error = null;
    this.onEnd(state);
  }

  async #recover(): Promise<void> {
    this.#flush();
    this.#status = 'recovering';
    try {
      // The state first: when it is final, the text fetched after it is the whole log.
      const task = await api.getTask(this.taskId);
      const text = await api.taskLogText(this.taskId);
      if (this.#stopped) return;
      const raw = splitLog(text);
      if (raw.length >= this.#lines.length) this.#lines = raw.map((l, i) => parseLogLine(l, i + 1));
      if (isFinalTaskState(task.state)) {
        this.#finish(task.state);
        return;
      }
      this.#error = null;
    } catch (err) {
      if (this.#stopped) return;
      this.#error = `The live log was interrupted: ${messageOf(err)} Retrying…`;
    }
    this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
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
