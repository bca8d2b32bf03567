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
  /**
   * Hours each agent was present (agent-added to agent-removed or the end of the run), summed,
   * rounded to 3 decimals; `byPool` for the agents of pool nodes (static agents are in `total` only).
   */
  readonly agentHours: { readonly total: number; readonly byPool: Readonly<Record<string, number>> };
  /**
   * submit → launch (ms) over every launched task; a relaunch counts from the end of its backoff.
   * `stillQueued`: tasks never launched that had not ended by the end of the run.
   */
  readonly queueWait: {
    readonly count: number;
    readonly p50: number;
    readonly p95: number;
    readonly max: number;
    readonly mean: number;
    readonly stillQueued: number;
  };
  /** Every ETL job of the run, by id. */
  readonly jobs: Readonly<Record<string, JobReport>>;
  /** Every elastic pool the run has records of, by name. */
  readonly pools: Readonly<Record<string, PoolReport>>;
}

/** An ETL job at the end of a run. */
export interface JobReport {
  readonly status: 'running' | 'waiting' | 'completed' | 'deleted';
  readonly waves: number;
  /** Copies that ended TASK_FINISHED (and were not killed), and copies that ended otherwise for good. */
  readonly succeeded: number;
  readonly failed: number;
  /** Copies its waves started (a retry is the same copy). */
  readonly started: number;
  /** Most copies live (launched, not ended) at once, and the most it may run at once. */
  readonly maxRunning: number;
  readonly maxtasks: number;
  readonly total?: number;
}

/** An elastic pool at the end of a run. */
export interface PoolReport {
  /** Nodes not yet gone at the end, and the most at once. */
  readonly size: number;
  readonly peak: number;
  /** Nodes requested, destroyed, and errors (a node can have several). */
  readonly provisioned: number;
  readonly destroyed: number;
  readonly errors: number;
  readonly scaleUps: number;
  readonly scaleDowns: number;
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

interface JobTrack {
  status: JobReport['status'];
  waves: number;
  succeeded: number;
  failed: number;
  started: number;
  live: number;
  maxRunning: number;
  maxtasks: number;
  total?: number;
}

type PoolTrack = { -readonly [K in keyof PoolReport]: PoolReport[K] };

interface TaskTrack {
  readonly specId: string;
  readonly submittedAt: number;
  /** The job instance the task is a copy of. */
  readonly job?: JobTrack;
  runningAt?: number;
  launchedAt?: number;
  launched: boolean;
  killRequested: boolean;
  /** Counted as a failed copy of its job (until a replacement shows it was retried). */
  jobFailed: boolean;
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
  /** Agents present now, since when; time of agents no longer present, per agent. */
  readonly #present = new Map<string, { hostname: string; since: number }>();
  readonly #presentMs = new Map<string, { hostname: string; ms: number }>();
  /** Pool of the agents (by id and by hostname) of pool nodes that became ready. */
  readonly #poolOfAgent = new Map<string, string>();
  readonly #poolOfHost = new Map<string, string>();
  /** The latest instance of every job (a job id can be submitted again once it ended). */
  readonly #jobs = new Map<string, JobTrack>();
  readonly #pools = new Map<string, PoolTrack>();

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
    if (task.job) task.job.live--;
  }

  #pool(name: string): PoolTrack {
    let pool = this.#pools.get(name);
    if (!pool) {
      pool = { size: 0, peak: 0, provisioned: 0, destroyed: 0, errors: 0, scaleUps: 0, scaleDowns: 0 };
      this.#pools.set(name, pool);
    }
    return pool;
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
        if (!this.#present.has(record.agent))
          this.#present.set(record.agent, { hostname: record.hostname, since: t });
        break;
      case 'agent-removed': {
        const a = this.#agents.get(record.agent);
        if (a) {
          this.#agentsRemoved++;
          this.#totalCpus -= a.cpus;
          this.#totalMem -= a.mem;
          this.#agents.delete(record.agent);
        }
        const stint = this.#present.get(record.agent);
        if (stint) {
          this.#present.delete(record.agent);
          const ms = (this.#presentMs.get(record.agent)?.ms ?? 0) + Math.max(0, t - stint.since);
          this.#presentMs.set(record.agent, { hostname: stint.hostname, ms });
        }
        break;
      }
      case 'task-submitted': {
        const job = record.job === undefined ? undefined : this.#jobs.get(record.job);
        this.#tasks.set(record.task, {
          specId: record.spec.id,
          submittedAt: Math.max(t, record.eligibleAt),
          ...(job ? { job } : {}),
          launched: false,
          killRequested: false,
          jobFailed: false,
          cpus: 0,
          mem: 0,
          ended: false,
        });
        if (record.spec.sla !== undefined) this.#sla.set(record.spec.id, record.spec.sla);
        if (record.origin === 'relaunch') this.#relaunches++;
        // A retried copy did not fail for good: its replacement goes on.
        const previous = record.previous === undefined ? undefined : this.#tasks.get(record.previous);
        if (previous?.jobFailed && previous.job) {
          previous.jobFailed = false;
          previous.job.failed--;
        }
        break;
      }
      case 'task-launched': {
        const task = this.#tasks.get(record.task);
        if (!task || task.launched) break;
        task.launched = true;
        task.launchedAt = t;
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
        if (task.job) {
          task.job.live++;
          task.job.maxRunning = Math.max(task.job.maxRunning, task.job.live);
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
          if (task.job) {
            if (record.state === 'TASK_FINISHED' && !task.killRequested) task.job.succeeded++;
            else {
              task.job.failed++;
              task.jobFailed = true;
            }
          }
        }
        task.last = record.state;
        break;
      }
      case 'kill-requested': {
        this.#kills++;
        const task = this.#tasks.get(record.task);
        if (task) task.killRequested = true;
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
      case 'job-submitted':
        this.#jobs.set(record.job, {
          status: 'running',
          waves: 0,
          succeeded: 0,
          failed: 0,
          started: 0,
          live: 0,
          maxRunning: 0,
          maxtasks: record.maxtasks,
          ...(record.total !== undefined ? { total: record.total } : {}),
        });
        break;
      case 'job-wave': {
        const job = this.#jobs.get(record.job);
        if (!job) break;
        job.status = 'running';
        job.waves = Math.max(job.waves, record.wave);
        job.started += record.tasks.length;
        break;
      }
      case 'job-waiting': {
        const job = this.#jobs.get(record.job);
        if (job) job.status = 'waiting';
        break;
      }
      case 'job-ended': {
        const job = this.#jobs.get(record.job);
        if (job) job.status = record.status;
        break;
      }
      case 'pool-node': {
        const pool = this.#pool(record.pool);
        switch (record.state) {
          case 'starting':
            pool.size++;
            pool.provisioned++;
            pool.peak = Math.max(pool.peak, pool.size);
            break;
          case 'gone':
            pool.size = Math.max(0, pool.size - 1);
            pool.destroyed++;
            break;
          case 'error':
            pool.errors++;
            break;
          case 'ready':
            if (record.agent !== undefined) this.#poolOfAgent.set(record.agent, record.pool);
            this.#poolOfHost.set(record.hostname, record.pool);
            break;
          default:
            break;
        }
        break;
      }
      case 'pool-scale': {
        const pool = this.#pool(record.pool);
        if (record.direction === 'up') pool.scaleUps++;
        else pool.scaleDowns++;
        break;
      }
      case 'pool':
        this.#pool(record.pool);
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
    const waits: number[] = [];
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
      if (task.launchedAt !== undefined) waits.push(Math.max(0, task.launchedAt - task.submittedAt));
    }
    latencies.sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
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
      agentHours: this.#agentHours(durationMs),
      queueWait: {
        count: waits.length,
        p50: percentile(waits, 50),
        p95: percentile(waits, 95),
        max: waits[waits.length - 1] ?? 0,
        mean: waits.length > 0 ? round1(waits.reduce((a, b) => a + b, 0) / waits.length) : 0,
        stillQueued: totals.pending,
      },
      jobs: Object.fromEntries(sortedEntries(this.#jobs).map(([id, job]) => [id, jobReport(job)] as const)),
      pools: Object.fromEntries(
        sortedEntries(this.#pools).map(([name, pool]) => [name, { ...pool }] as const),
      ),
    };
  }

  /** Agent presence up to `end`, in hours, in total and per pool. */
  #agentHours(end: number): RunMetrics['agentHours'] {
    const ms = new Map<string, { hostname: string; ms: number }>();
    for (const [agent, done] of this.#presentMs) ms.set(agent, { ...done });
    for (const [agent, stint] of this.#present) {
      const done = ms.get(agent);
      ms.set(agent, { hostname: stint.hostname, ms: (done?.ms ?? 0) + Math.max(0, end - stint.since) });
    }
    let total = 0;
    const byPool = new Map<string, number>();
    for (const [agent, { hostname, ms: agentMs }] of [...ms.entries()].sort(byKey)) {
      total += agentMs;
      const pool = this.#poolOfAgent.get(agent) ?? this.#poolOfHost.get(hostname);
      if (pool !== undefined) byPool.set(pool, (byPool.get(pool) ?? 0) + agentMs);
    }
    return {
      total: hours(total),
      byPool: Object.fromEntries(
        sortedEntries(byPool).map(([pool, poolMs]) => [pool, hours(poolMs)] as const),
      ),
    };
  }
}

function jobReport(j: JobTrack): JobReport {
  return {
    status: j.status,
    waves: j.waves,
    succeeded: j.succeeded,
    failed: j.failed,
    started: j.started,
    maxRunning: j.maxRunning,
    maxtasks: j.maxtasks,
    ...(j.total !== undefined ? { total: j.total } : {}),
  };
}

function byKey<V>(a: readonly [string, V], b: readonly [string, V]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort(byKey);
}

/** ms as hours, rounded to 3 decimals. */
function hours(ms: number): number {
  return Math.round(ms / 3_600) / 1_000;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
