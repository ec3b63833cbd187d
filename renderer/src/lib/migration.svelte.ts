import { ApiError, messageOf, migrationApi } from './api';
import { inWords, jobStep, needsDrain } from './migrationPlan';
import { NodeList } from './nodeList.svelte';
import type { MigrationPlan, MigrationStatus, MigrationTarget, ShoalNode } from '@shoal/server-core/contract';

/**
 * The node's "Move to high availability" job as its server reports it. One for the whole
 * portal: the header asks it whether the move is offered, the wizard polls it for progress.
 */
class MigrationJobState {
  #status = $state.raw<MigrationStatus | null>(null);
  #error = $state<string | null>(null);
  #forbidden = $state(false);

  /** null until the first answer. */
  get status(): MigrationStatus | null {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }
  /** The user may not see the job (403): it needs administrator rights. */
  get forbidden(): boolean {
    return this.#forbidden;
  }
  /** A standalone node, so there is something to move (and it has not been restarted on the cluster yet). */
  get available(): boolean {
    return this.#status?.available ?? false;
  }

  async refresh(): Promise<void> {
    try {
      this.#status = await migrationApi.status();
      this.#error = null;
      this.#forbidden = false;
    } catch (err) {
      this.#forbidden = err instanceof ApiError && err.status === 403;
      this.#error = messageOf(err);
    }
  }

  /** What the start answered, so the wizard moves on without waiting for the next poll. */
  set(status: MigrationStatus): void {
    this.#status = status;
    this.#error = null;
  }
}

export const migration = new MigrationJobState();

export type WizardStep = 'target' | 'plan' | 'progress' | 'result';

/** What the operator is doing while the job is idle: filling in the target, or reading its plan. */
type Stage = 'target' | 'plan';

/** A failed check or call, in words; `status` 409 is a check the operator can fix. */
export interface WizardProblem {
  status: number;
  message: string;
}

const problemOf = (err: unknown): WizardProblem => ({ status: err instanceof ApiError ? err.status : 0, message: inWords(messageOf(err)) });

/**
 * The wizard: the operator's target, the dry-run plan and its checks, draining the node
 * when a check asks for it, and starting the copy. Where the job itself is (running,
 * done, failed) comes from the server, so a reload lands on the same step.
 */
export class MoveToHaWizard {
  targetUrl = $state('');
  storageRoot = $state('');
  readonly nodes = new NodeList();

  #stage = $state<Stage>('target');
  #plan = $state.raw<MigrationPlan | null>(null);
  /** The target the plan was made for: starting uses exactly what was checked. */
  #planned = $state.raw<MigrationTarget | null>(null);
  #inputProblem = $state<string | null>(null);
  #planProblem = $state<WizardProblem | null>(null);
  #startProblem = $state<WizardProblem | null>(null);
  #checking = $state(false);
  #starting = $state(false);
  #draining = $state(false);
  #drainProblem = $state<string | null>(null);
  /** Drained on the operator's word: check again by itself once no task runs. */
  #awaitingIdle = $state(false);
  /** The operator chose to run a failed migration again. */
  #again = $state(false);

  get step(): WizardStep {
    const fromJob = jobStep(migration.status);
    if (fromJob === 'result') return 'result';
    if (fromJob === 'progress' && !(migration.status?.state === 'failed' && this.#again)) return 'progress';
    return this.#stage;
  }
  get plan(): MigrationPlan | null {
    return this.#plan;
  }
  get planned(): MigrationTarget | null {
    return this.#planned;
  }
  /** Empty fields, or the server refused the values (400): shown on the first step. */
  get inputProblem(): string | null {
    return this.#inputProblem;
  }
  get planProblem(): WizardProblem | null {
    return this.#planProblem;
  }
  get startProblem(): WizardProblem | null {
    return this.#startProblem;
  }
  get checking(): boolean {
    return this.#checking;
  }
  get starting(): boolean {
    return this.#starting;
  }
  get draining(): boolean {
    return this.#draining;
  }
  get drainProblem(): string | null {
    return this.#drainProblem;
  }
  get awaitingIdle(): boolean {
    return this.#awaitingIdle;
  }
  /** The checks failed because this node takes or runs tasks. */
  get needsDrain(): boolean {
    const p = this.#planProblem ?? this.#startProblem;
    return p?.status === 409 && needsDrain(p.message);
  }
  /** Nodes that count for the check: every one not offline (a standalone install has one). */
  get liveNodes(): ShoalNode[] {
    return this.nodes.nodes.filter((n) => n.status !== 'Offline');
  }
  get undrained(): ShoalNode[] {
    return this.liveNodes.filter((n) => !n.drain);
  }
  get runningTasks(): number {
    return this.liveNodes.reduce((n, x) => n + x.runningTasks, 0);
  }

  /** Step 1 → 2: the dry run. A refused value (400) keeps the operator on step 1. */
  async check(): Promise<void> {
    const target = { targetUrl: this.targetUrl.trim(), storageRoot: this.storageRoot.trim() };
    if (!target.targetUrl || !target.storageRoot) {
      this.#inputProblem = !target.targetUrl ? 'Enter the URL of the shared database.' : 'Enter the shared storage root: a folder every node sees at the same path.';
      return;
    }
    this.#inputProblem = null;
    this.#startProblem = null;
    this.#checking = true;
    try {
      const plan = await migrationApi.plan(target);
      this.#plan = plan;
      this.#planned = target;
      this.#planProblem = null;
      this.#stage = 'plan';
    } catch (err) {
      const problem = problemOf(err);
      this.#plan = null;
      this.#planned = null;
      if (problem.status === 400) {
        this.#inputProblem = problem.message;
        this.#stage = 'target';
      } else {
        this.#planProblem = problem;
        this.#stage = 'plan';
        // Drained already, tasks still finishing: check again once they are done.
        if (problem.status === 409 && /tasks are still running/i.test(problem.message)) this.#awaitingIdle = true;
      }
    } finally {
      this.#checking = false;
    }
  }

  /** Back to step 1 to change the target. */
  edit(): void {
    this.#stage = 'target';
    this.#awaitingIdle = false;
  }

  /** Drains every node that still takes tasks; the wizard checks again once none runs. */
  async drain(): Promise<void> {
    this.#draining = true;
    this.#drainProblem = null;
    try {
      for (const n of this.undrained) await this.nodes.update(n.name, { drain: true });
      this.#awaitingIdle = true;
      await this.refreshNodes();
    } catch (err) {
      this.#drainProblem = inWords(messageOf(err));
    } finally {
      this.#draining = false;
    }
  }

  /** Polled while the drain helper shows: node states, and the re-check once they are idle. */
  async refreshNodes(): Promise<void> {
    await this.nodes.refresh();
    if (this.#awaitingIdle && this.nodes.loaded && this.undrained.length === 0 && this.runningTasks === 0 && !this.#checking) {
      this.#awaitingIdle = false;
      await this.check();
    }
  }

  /** Step 2 → 3: starts the copy of exactly what was planned. */
  async start(): Promise<void> {
    const target = this.#planned;
    if (!target) return;
    this.#starting = true;
    this.#startProblem = null;
    try {
      migration.set(await migrationApi.start(target));
      this.#again = false;
    } catch (err) {
      this.#startProblem = problemOf(err);
    } finally {
      this.#starting = false;
    }
  }

  /** After a failure: back to the plan (checked again) with the same target, or to step 1. */
  async runAgain(): Promise<void> {
    this.#again = true;
    this.#startProblem = null;
    if (this.#planned) await this.check();
    else this.#stage = 'target';
  }
}
