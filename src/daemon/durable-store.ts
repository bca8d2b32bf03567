import { isTerminalState } from '../core/mesos/task-states.ts';
import {
  type DurableChange,
  type DurableView,
  durableFamily,
  durableIntelligence,
  durableJob,
  durableMeta,
  durablePool,
  durableTask,
  durableView,
} from '../core/scheduler/durable.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import type { SchedulerState } from '../core/scheduler/state.ts';
import type { Journal } from '../store/journal.ts';

export type StateJournal = Journal<DurableChange, DurableView>;

/** What the store needs of a journal. */
export type ChangeSink = Pick<StateJournal, 'append' | 'sinceSnapshot' | 'snapshot'>;

/**
 * Turns the scheduler's records into journal entries: each record names what it changed (a task,
 * its family, a hold, the framework id or pause switch, a family's task intelligence) and the entry holds that thing's whole
 * new value, so replaying entries over the last snapshot rebuilds the durable state. Entries are
 * appended as the records arrive, before the calls that follow them (see GatedTransport).
 */
export class DurableStore {
  readonly #journal: ChangeSink;
  readonly #state: () => SchedulerState;
  readonly #snapshotEvery: number;
  readonly #onSnapshotError: (err: Error) => void;
  #snapshotting = false;

  constructor(
    journal: ChangeSink,
    state: () => SchedulerState,
    snapshotEvery = 10_000,
    onSnapshotError: (err: Error) => void = () => undefined,
  ) {
    this.#onSnapshotError = onSnapshotError;
    this.#journal = journal;
    this.#state = state;
    this.#snapshotEvery = snapshotEvery;
  }

  record(record: SchedulerRecord): void {
    const state = this.#state();
    switch (record.type) {
      case 'task-submitted':
        this.#task(state, record.task);
        this.#append({ k: 'meta', meta: durableMeta(state) });
        break;
      case 'task-launched':
      case 'kill-requested':
        this.#task(state, record.task);
        break;
      case 'task-status':
      case 'gave-up':
        this.#task(state, record.task);
        // A copy that ended (or was given up) changes its job's counts.
        if (record.type === 'gave-up' || isTerminalState(record.state) || record.state === 'TASK_UNKNOWN')
          this.#jobOf(state, record.task);
        break;
      case 'subscribed':
      case 'paused':
      case 'auto-scale':
        this.#append({ k: 'meta', meta: durableMeta(state) });
        break;
      case 'job-submitted':
      case 'job-wave':
      case 'job-waiting':
      case 'job-ended':
        this.#job(state, record.job);
        break;
      case 'pool-node':
      case 'pool':
      case 'pool-scale': {
        const pool = durablePool(state, record.pool);
        if (pool) this.#append({ k: 'pool', pool });
        break;
      }
      case 'intelligence':
        this.#append(durableIntelligence(state, record.id));
        break;
      case 'agent-held':
        this.#append({
          k: 'hold',
          hostname: record.hostname,
          reason: state.holds.get(record.hostname) ?? null,
        });
        break;
      default:
        break;
    }
  }

  /** Writes every family (a kill by prefix may retire one without touching any task). */
  families(): void {
    const state = this.#state();
    for (const family of state.families.values())
      this.#append({ k: 'family', family: durableFamily(family) });
  }

  #task(state: SchedulerState, id: string): void {
    const task = state.tasks.get(id);
    if (!task) return;
    this.#append({ k: 'task', task: durableTask(task) });
    const family = task.spec.sla === undefined ? undefined : state.families.get(task.specId);
    if (family) this.#append({ k: 'family', family: durableFamily(family) });
  }

  #jobOf(state: SchedulerState, taskId: string): void {
    const job = state.tasks.get(taskId)?.job;
    if (job !== undefined) this.#job(state, job);
  }

  #job(state: SchedulerState, id: string): void {
    const job = state.jobs.get(id);
    if (job) this.#append({ k: 'job', job: durableJob(job) });
  }

  #append(change: DurableChange): void {
    this.#journal.append(change);
    if (this.#snapshotting || this.#journal.sinceSnapshot < this.#snapshotEvery) return;
    // A snapshot costs time in proportion to the state; snapshotting only once the journal has
    // grown to a few times the number of tasks keeps that cost a constant share of the work and
    // the replay at start in proportion to the state.
    if (this.#journal.sinceSnapshot >= 4 * this.#state().tasks.size)
      // A failed snapshot loses nothing (the journal still has every entry); say so and go on.
      this.snapshot().catch((err: Error) => this.#onSnapshotError(err));
  }

  /** Writes a snapshot of the whole durable state (and lets the journal drop what it covers). */
  async snapshot(): Promise<void> {
    this.#snapshotting = true;
    try {
      await this.#journal.snapshot(durableView(this.#state()));
    } finally {
      this.#snapshotting = false;
    }
  }
}
