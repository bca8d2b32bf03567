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
  /** Memory-limit kills (REASON_CONTAINER_LIMITATION_MEMORY) over the whole run. */
  readonly memoryLimitKills: number;
  /** Every reshuffle of the run, with what it planned and what it did. */
  readonly reshuffles: readonly ReshuffleReport[];
}

/** One reshuffle: the plan (for planned strategies and dry runs) and the memory it freed. */
export interface ReshuffleReport {
  readonly at: number;
  readonly strategy: string;
  readonly dryRun: boolean;
  /** Cluster memory not allocated to any task when it started, and at the end of the run (MB). */
  readonly unallocatedMemBefore: number;
  readonly unallocatedMemAfter: number;
  /** Agents running nothing but one-per-node copies when it started, and at the end of the run. */
  readonly idleAgentsBefore: number;
  readonly idleAgentsAfter: number;
  /** Tasks it killed (0 for a dry run). */
  readonly killed: number;
  /** Memory-limit kills after it started. */
  readonly memoryLimitKillsAfter: number;
  readonly plan?: {
    readonly moves: number;
    readonly waves: number;
    readonly freeMemBefore: number;
    readonly freeMemAfter: number;
    readonly agentsEmptied: number;
  };
  /** For applied planned reshuffles: whether every wave completed, and why not. */
  readonly complete?: boolean;
  readonly reason?: string;
}

interface ReshuffleTrack {
  at: number;
  strategy: string;
  dryRun: boolean;
  unallocatedMemBefore: number;
  idleAgentsBefore: number;
  killed: number;
  memoryLimitKillsBefore: number;
  plan?: ReshuffleReport['plan'];
  complete?: boolean;
  reason?: string;
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
  readonly #agents = new Map<string, { cpus: number; mem: number; live: number; work: number }>();
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
  readonly #reshuffles: ReshuffleTrack[] = [];
  #memoryLimitKills = 0;

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
    if (agent) {
      agent.live--;
      if (this.#sla.get(task.specId) !== 'one-per-node') agent.work--;
    }
  }

  add(record: SchedulerRecord, t: number): void {
    this.#advance(t);
    switch (record.type) {
      case 'agent-added':
        this.#agentsAdded++;
        this.#agents.set(record.agent, {
          cpus: record.resources.cpus,
          mem: record.resources.mem,
          live: 0,
          work: 0,
        });
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
        if (agent) {
          agent.live++;
          if (this.#sla.get(task.specId) !== 'one-per-node') agent.work++;
        }
        break;
      }
      case 'task-status': {
        const task = this.#tasks.get(record.task);
        if (!task || task.ended) break;
        if (record.state === 'TASK_RUNNING' && task.runningAt === undefined) task.runningAt = t;
        if (record.reason === 'REASON_CONTAINER_LIMITATION_MEMORY') this.#memoryLimitKills++;
        if (endsLife(record.state)) {
          this.#release(task);
          task.ended = true;
        }
        task.last = record.state;
        break;
      }
      case 'kill-requested': {
        this.#kills++;
        const current = this.#reshuffles[this.#reshuffles.length - 1];
        if (record.cause === 'reshuffle' && current !== undefined && !current.dryRun) current.killed++;
        break;
      }
      case 'reshuffle': {
        this.#reshuffled += record.moved.length;
        // Charmander's reshuffle records what it killed after the kills.
        const r = this.#startReshuffle(t, record.strategy, false);
        r.killed = record.moved.length;
        break;
      }
      case 'reshuffle-plan': {
        const r = this.#startReshuffle(t, record.strategy, record.dryRun);
        const e = record.plan.expected;
        r.plan = {
          moves: record.plan.moves.length,
          waves: record.plan.waves.length,
          freeMemBefore: e.freeMemBefore,
          freeMemAfter: e.freeMemAfter,
          agentsEmptied: e.agentsEmptied.length,
        };
        break;
      }
      case 'reshuffle-finished': {
        this.#reshuffled += record.moved.length;
        const current = this.#reshuffles[this.#reshuffles.length - 1];
        if (current) {
          current.complete = record.complete;
          if (record.reason !== undefined) current.reason = record.reason;
        }
        break;
      }
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

  /** A reshuffle starts (a plan record and the charmander record of one reshuffle count once). */
  #startReshuffle(t: number, strategy: string, dryRun: boolean): ReshuffleTrack {
    const last = this.#reshuffles[this.#reshuffles.length - 1];
    if (last && last.at === t && last.strategy === strategy && last.dryRun === dryRun) return last;
    const r: ReshuffleTrack = {
      at: t,
      strategy,
      dryRun,
      unallocatedMemBefore: this.#totalMem - this.#usedMem,
      idleAgentsBefore: this.#idleAgents(),
      killed: 0,
      memoryLimitKillsBefore: this.#memoryLimitKills,
    };
    this.#reshuffles.push(r);
    return r;
  }

  /** Agents running nothing but one-per-node copies (which every agent gets). */
  #idleAgents(): number {
    let idle = 0;
    for (const a of this.#agents.values()) if (a.work === 0) idle++;
    return idle;
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
      memoryLimitKills: this.#memoryLimitKills,
      reshuffles: this.#reshuffles.map((r) => ({
        at: r.at,
        strategy: r.strategy,
        dryRun: r.dryRun,
        unallocatedMemBefore: round1(r.unallocatedMemBefore),
        unallocatedMemAfter: round1(this.#totalMem - this.#usedMem),
        idleAgentsBefore: r.idleAgentsBefore,
        idleAgentsAfter: this.#idleAgents(),
        killed: r.killed,
        memoryLimitKillsAfter: this.#memoryLimitKills - r.memoryLimitKillsBefore,
        ...(r.plan ? { plan: r.plan } : {}),
        ...(r.complete !== undefined ? { complete: r.complete } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      })),
    };
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
