import type { TaskState } from '../core/mesos/v1.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import type { Sla } from '../core/spec/task-spec.ts';
import { endsLife } from '../trace/invariants.ts';

/** Where a task ended up at the end of a run. */
export type Outcome =
  | 'pending'
  | 'starting'
  | 'running'
  | 'finished'
  | 'failed'
  | 'killed'
  | 'lost'
  | 'error';

export const OUTCOMES: readonly Outcome[] = [
  'running',
  'pending',
  'starting',
  'finished',
  'failed',
  'killed',
  'lost',
  'error',
];

export interface SpecCounts extends Record<Outcome, number> {
  sla?: Sla;
  submitted: number;
}

export interface RunMetrics {
  readonly durationMs: number;
  readonly tasks: Readonly<Record<Outcome, number>> & { readonly submitted: number };
  readonly bySpec: ReadonlyMap<string, SpecCounts>;
  /** submit → TASK_RUNNING over every task that reached RUNNING; a relaunch counts from the end of its backoff. */
  readonly latency: {
    readonly count: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Time-weighted mean share of the cluster's cpus and mem held by live tasks. */
  readonly meanCpuAllocation: number;
  readonly meanMemAllocation: number;
  readonly agents: {
    readonly present: number;
    readonly empty: number;
    readonly removed: number;
    readonly added: number;
  };
  readonly kills: number;
  readonly relaunches: number;
  readonly reshuffled: number;
  readonly rejected: readonly string[];
  readonly gaveUp: readonly string[];
  readonly subscriptions: number;
  readonly disconnections: number;
}

interface TaskTrack {
  readonly specId: string;
  readonly submittedAt: number;
  runningAt?: number;
  launched: boolean;
  agent?: string;
  cpus: number;
  mem: number;
  last?: TaskState;
  ended: boolean;
}

function outcomeOf(t: TaskTrack): Outcome {
  if (!t.launched) return t.ended ? (t.last === 'TASK_KILLED' ? 'killed' : 'lost') : 'pending';
  const s = t.last;
  if (!t.ended)
    return s === 'TASK_RUNNING' || s === 'TASK_KILLING' || s === 'TASK_UNREACHABLE' ? 'running' : 'starting';
  switch (s) {
    case 'TASK_FINISHED':
      return 'finished';
    case 'TASK_FAILED':
      return 'failed';
    case 'TASK_KILLED':
      return 'killed';
    case 'TASK_ERROR':
      return 'error';
    default:
      return 'lost';
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/**
 * Folds the scheduler's records of a run into the figures of the summary: outcomes per task and
 * per spec id, submit→running latency, time-weighted allocation, agents, kills and relaunches.
 */
export class MetricsCollector {
  readonly #tasks = new Map<string, TaskTrack>();
  readonly #sla = new Map<string, Sla>();
  readonly #agents = new Map<string, { cpus: number; mem: number; live: number }>();
  #agentsAdded = 0;
  #agentsRemoved = 0;
  #totalCpus = 0;
  #totalMem = 0;
  #usedCpus = 0;
  #usedMem = 0;
  #lastT = 0;
  #cpuArea = 0;
  #memArea = 0;
  #kills = 0;
  #relaunches = 0;
  #reshuffled = 0;
  #subscriptions = 0;
  #disconnections = 0;
  readonly #rejected: string[] = [];
  readonly #gaveUp: string[] = [];

  readonly listener = (record: SchedulerRecord, t: number): void => this.add(record, t);

  #advance(t: number): void {
    if (t <= this.#lastT) return;
    const dt = t - this.#lastT;
    if (this.#totalCpus > 0) this.#cpuArea += (dt * this.#usedCpus) / this.#totalCpus;
    if (this.#totalMem > 0) this.#memArea += (dt * this.#usedMem) / this.#totalMem;
    this.#lastT = t;
  }

  #release(task: TaskTrack): void {
    if (!task.launched || task.ended) return;
    this.#usedCpus -= task.cpus;
    this.#usedMem -= task.mem;
    const agent = task.agent === undefined ? undefined : this.#agents.get(task.agent);
    if (agent) agent.live--;
  }

  add(record: SchedulerRecord, t: number): void {
    this.#advance(t);
    switch (record.type) {
      case 'agent-added':
        this.#agentsAdded++;
        this.#agents.set(record.agent, { cpus: record.resources.cpus, mem: record.resources.mem, live: 0 });
        this.#totalCpus += record.resources.cpus;
        this.#totalMem += record.resources.mem;
        break;
      case 'agent-removed': {
        const a = this.#agents.get(record.agent);
        if (a) {
          this.#agentsRemoved++;
          this.#totalCpus -= a.cpus;
          this.#totalMem -= a.mem;
          this.#agents.delete(record.agent);
        }
        break;
      }
      case 'task-submitted':
        this.#tasks.set(record.task, {
          specId: record.spec.id,
          submittedAt: Math.max(t, record.eligibleAt),
          launched: false,
          cpus: 0,
          mem: 0,
          ended: false,
        });
        if (record.spec.sla !== undefined) this.#sla.set(record.spec.id, record.spec.sla);
        if (record.origin === 'relaunch') this.#relaunches++;
        break;
      case 'task-launched': {
        const task = this.#tasks.get(record.task);
        if (!task) break;
        task.launched = true;
        task.agent = record.agent;
        task.cpus = record.resources.cpus;
        task.mem = record.resources.mem;
        this.#usedCpus += task.cpus;
        this.#usedMem += task.mem;
        const agent = this.#agents.get(record.agent);
        if (agent) agent.live++;
        break;
      }
      case 'task-status': {
        const task = this.#tasks.get(record.task);
        if (!task || task.ended) break;
        if (record.state === 'TASK_RUNNING' && task.runningAt === undefined) task.runningAt = t;
        if (endsLife(record.state)) {
          this.#release(task);
          task.ended = true;
        }
        task.last = record.state;
        break;
      }
      case 'kill-requested':
        this.#kills++;
        break;
      case 'reshuffle':
        this.#reshuffled += record.moved.length;
        break;
      case 'submit-rejected':
        this.#rejected.push(`${record.id}: ${record.message}`);
        break;
      case 'gave-up':
        this.#gaveUp.push(`${record.task}: ${record.message}`);
        break;
      case 'subscribed':
        this.#subscriptions++;
        break;
      case 'disconnected':
        this.#disconnections++;
        break;
      default:
        break;
    }
  }

  finish(durationMs: number): RunMetrics {
    this.#advance(durationMs);
    const totals: Record<Outcome, number> = {
      pending: 0,
      starting: 0,
      running: 0,
      finished: 0,
      failed: 0,
      killed: 0,
      lost: 0,
      error: 0,
    };
    const bySpec = new Map<string, SpecCounts>();
    const latencies: number[] = [];
    for (const task of this.#tasks.values()) {
      const outcome = outcomeOf(task);
      totals[outcome]++;
      let counts = bySpec.get(task.specId);
      if (!counts) {
        counts = {
          submitted: 0,
          pending: 0,
          starting: 0,
          running: 0,
          finished: 0,
          failed: 0,
          killed: 0,
          lost: 0,
          error: 0,
        };
        const sla = this.#sla.get(task.specId);
        if (sla !== undefined) counts.sla = sla;
        bySpec.set(task.specId, counts);
      }
      counts.submitted++;
      counts[outcome]++;
      if (task.runningAt !== undefined) latencies.push(task.runningAt - task.submittedAt);
    }
    latencies.sort((a, b) => a - b);
    let empty = 0;
    for (const a of this.#agents.values()) if (a.live === 0) empty++;
    const span = durationMs > 0 ? durationMs : 1;
    return {
      durationMs,
      tasks: { ...totals, submitted: this.#tasks.size },
      bySpec: new Map([...bySpec.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))),
      latency: {
        count: latencies.length,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? 0,
      },
      meanCpuAllocation: this.#cpuArea / span,
      meanMemAllocation: this.#memArea / span,
      agents: { present: this.#agents.size, empty, removed: this.#agentsRemoved, added: this.#agentsAdded },
      kills: this.#kills,
      relaunches: this.#relaunches,
      reshuffled: this.#reshuffled,
      rejected: this.#rejected,
      gaveUp: this.#gaveUp,
      subscriptions: this.#subscriptions,
      disconnections: this.#disconnections,
    };
  }
}
