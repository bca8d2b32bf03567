import { familyFromEntry, type IntelligenceEntry, intelligenceEntry } from '../intelligence/family.ts';
import type { Label, TaskState, TaskStatusReason } from '../mesos/v1.ts';
import type { PoolMode, PoolNodePhase } from '../pools/types.ts';
import type { JobSpec } from '../spec/job-spec.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { SchedulerConfig } from './config.ts';
import { jobRemaining } from './jobs.ts';
import {
  createState,
  type Family,
  type JobRecord,
  type JobStatus,
  type KillCause,
  type SchedulerState,
  type TaskKind,
  type TaskOrigin,
  type TaskPhase,
  type TaskRecord,
} from './state.ts';
import { classKeyOf, specNeed } from './tasks.ts';

/**
 * What of the scheduler's state must survive a restart of the daemon: the framework id, every
 * task it knows (queued, launched, recently ended), the one-per-node and singleton families, holds,
 * the pause switch and the task intelligence (bounded windows, peaks, overrides). Offers, agents and timers are not kept — after a restart the master
 * offers again and reconciliation tells the truth about every launched task.
 */
export interface DurableTask {
  id: string;
  seq: number;
  spec: TaskSpec;
  /** The spec as submitted, when sizing made `spec` differ from it. */
  requested?: TaskSpec;
  kind: TaskKind;
  labels: Label[];
  origin: TaskOrigin;
  previous?: string;
  pinnedAgentId?: string;
  phase: TaskPhase;
  state?: TaskState;
  reason?: TaskStatusReason;
  message?: string;
  agentId?: string;
  hostname?: string;
  failures: number;
  killRequested?: KillCause;
  /** The ETL job the task is a copy of. */
  job?: string;
}

/** An ETL job: its spec and progress (times do not survive a restart: a waiting job waits anew). */
export interface DurableJob {
  id: string;
  spec: JobSpec;
  labels: Label[];
  status: JobStatus;
  waves: number;
  started: number;
  succeeded: number;
  failed: number;
}

/** A pool's bounds, mode and nodes (what offerlab created and has not destroyed yet). */
export interface DurablePool {
  name: string;
  min: number;
  max: number;
  mode: PoolMode;
  nextIndex: number;
  nodes: {
    hostname: string;
    phase: PoolNodePhase;
    agentId?: string;
    message?: string;
    destroyFailures: number;
    poolHold?: boolean;
  }[];
}

export interface DurableFamily {
  specId: string;
  spec: TaskSpec;
  /** The spec as submitted, when an SLA override made `spec` differ from it. */
  requested?: TaskSpec;
  kind: TaskKind;
  labels: Label[];
  /** [copy key, task id]: the agent id for one-per-node copies, '' for a singleton. */
  copies: [string, string][];
  excluded: string[];
  retired: boolean;
}

export interface DurableMeta {
  frameworkId?: string;
  nextSeq: number;
  paused: boolean;
  /** Auto mode for pools (absent in state written before pools existed: the configured default). */
  autoScale?: boolean;
}

/** The whole durable state, as a snapshot holds it. */
export interface DurableView {
  meta: DurableMeta;
  holds: [string, string][];
  families: DurableFamily[];
  tasks: DurableTask[];
  /** Task intelligence by family id (absent in snapshots written before it existed). */
  intelligence?: IntelligenceEntry[];
  jobs?: DurableJob[];
  pools?: DurablePool[];
}

/** One change to the durable state, as the journal holds it: every entry replaces what it names. */
export type DurableChange =
  | { k: 'meta'; meta: DurableMeta }
  | { k: 'hold'; hostname: string; reason: string | null }
  | { k: 'family'; family: DurableFamily }
  | { k: 'task'; task: DurableTask }
  /** A family's intelligence (`null`: forgotten). */
  | { k: 'intelligence'; id: string; entry: IntelligenceEntry | null }
  | { k: 'job'; job: DurableJob }
  | { k: 'pool'; pool: DurablePool };

export function durableTask(task: TaskRecord): DurableTask {
  const d: DurableTask = {
    id: task.id,
    seq: task.seq,
    spec: task.spec,
    kind: task.kind,
    labels: [...task.labels],
    origin: task.origin,
    phase: task.phase,
    failures: task.failures,
  };
  if (task.requested !== task.spec) d.requested = task.requested;
  if (task.previous !== undefined) d.previous = task.previous;
  if (task.pinnedAgentId !== undefined) d.pinnedAgentId = task.pinnedAgentId;
  if (task.state !== undefined) d.state = task.state;
  if (task.reason !== undefined) d.reason = task.reason;
  if (task.message !== undefined) d.message = task.message;
  if (task.agentId !== undefined) d.agentId = task.agentId;
  if (task.hostname !== undefined) d.hostname = task.hostname;
  if (task.killRequested !== undefined) d.killRequested = task.killRequested;
  if (task.job !== undefined) d.job = task.job;
  return d;
}

export function durableFamily(family: Family): DurableFamily {
  return {
    specId: family.specId,
    spec: family.spec,
    ...(family.requested !== undefined ? { requested: family.requested } : {}),
    kind: family.kind,
    labels: [...family.labels],
    copies: [...family.copies].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    excluded: [...family.excluded].sort(),
    retired: family.retired,
  };
}

export function durableMeta(state: SchedulerState): DurableMeta {
  const meta: DurableMeta = { nextSeq: state.nextSeq, paused: state.paused, autoScale: state.autoScale };
  if (state.framework.id !== undefined) meta.frameworkId = state.framework.id;
  return meta;
}

/** The durable part of a live state (what a snapshot writes). */
export function durableView(state: SchedulerState): DurableView {
  return {
    meta: durableMeta(state),
    holds: [...state.holds].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    families: [...state.families.values()].map(durableFamily),
    tasks: [...state.tasks.values()].sort((a, b) => a.seq - b.seq).map(durableTask),
    intelligence: [...state.intelligence.keys()].sort().flatMap((id) => {
      const family = state.intelligence.get(id);
      return family ? [intelligenceEntry(family)] : [];
    }),
    jobs: [...state.jobs.values()].map(durableJob),
    pools: [...state.pools.keys()].sort().flatMap((name) => {
      const pool = durablePool(state, name);
      return pool ? [pool] : [];
    }),
  };
}

export function durableJob(job: JobRecord): DurableJob {
  return {
    id: job.id,
    spec: job.spec,
    labels: [...job.labels],
    status: job.status,
    waves: job.waves,
    started: job.started,
    succeeded: job.succeeded,
    failed: job.failed,
  };
}

export function durablePool(state: SchedulerState, name: string): DurablePool | undefined {
  const pool = state.pools.get(name);
  if (!pool) return undefined;
  return {
    name,
    min: pool.min,
    max: pool.max,
    mode: pool.mode,
    nextIndex: pool.nextIndex,
    nodes: [...pool.nodes.values()].map((n) => ({
      hostname: n.hostname,
      phase: n.phase,
      destroyFailures: n.destroyFailures,
      ...(n.poolHold ? { poolHold: true } : {}),
      ...(n.agentId !== undefined ? { agentId: n.agentId } : {}),
      ...(n.message !== undefined ? { message: n.message } : {}),
    })),
  };
}

/** The durable change for one family's intelligence as it is now (`entry: null` when forgotten). */
export function durableIntelligence(state: SchedulerState, id: string): DurableChange {
  const family = state.intelligence.get(id);
  return { k: 'intelligence', id, entry: family ? intelligenceEntry(family) : null };
}

/** A view being rebuilt from a snapshot and the journal entries written after it. */
export class DurableBuilder {
  meta: DurableMeta = { nextSeq: 1, paused: false };
  readonly holds = new Map<string, string>();
  readonly families = new Map<string, DurableFamily>();
  readonly tasks = new Map<string, DurableTask>();
  readonly intelligence = new Map<string, IntelligenceEntry>();
  readonly jobs = new Map<string, DurableJob>();
  readonly pools = new Map<string, DurablePool>();

  constructor(view?: DurableView) {
    if (!view) return;
    this.meta = view.meta;
    for (const [hostname, reason] of view.holds) this.holds.set(hostname, reason);
    for (const f of view.families) this.families.set(f.specId, f);
    for (const t of view.tasks) this.tasks.set(t.id, t);
    for (const e of view.intelligence ?? []) this.intelligence.set(e.id, e);
    for (const j of view.jobs ?? []) this.jobs.set(j.id, j);
    for (const p of view.pools ?? []) this.pools.set(p.name, p);
  }

  apply(change: DurableChange): void {
    switch (change.k) {
      case 'meta':
        this.meta = change.meta;
        break;
      case 'hold':
        if (change.reason === null) this.holds.delete(change.hostname);
        else this.holds.set(change.hostname, change.reason);
        break;
      case 'family':
        this.families.set(change.family.specId, change.family);
        break;
      case 'task':
        this.tasks.set(change.task.id, change.task);
        break;
      case 'intelligence':
        if (change.entry === null) this.intelligence.delete(change.id);
        else this.intelligence.set(change.id, change.entry);
        break;
      case 'job':
        this.jobs.set(change.job.id, change.job);
        break;
      case 'pool':
        this.pools.set(change.pool.name, change.pool);
        break;
    }
  }

  view(): DurableView {
    return {
      meta: this.meta,
      holds: [...this.holds],
      families: [...this.families.values()],
      tasks: [...this.tasks.values()].sort((a, b) => a.seq - b.seq),
      intelligence: [...this.intelligence.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      jobs: [...this.jobs.values()],
      pools: [...this.pools.values()],
    };
  }
}

/**
 * A fresh scheduler state holding what was kept. Queued tasks are eligible at once (backoffs do
 * not survive a restart); launched tasks wait for their agent's first offer to be counted against
 * it, and for reconciliation to confirm or end them; the newest `historyLimit` ended tasks are
 * kept for queries.
 */
export function restoreState(config: SchedulerConfig, view: DurableView, now: number): SchedulerState {
  const state = createState(config, view.meta.frameworkId);
  let nextSeq = view.meta.nextSeq;
  for (const t of view.tasks) if (t.seq + 1 > nextSeq) nextSeq = t.seq + 1;
  state.nextSeq = nextSeq;
  state.paused = view.meta.paused;
  for (const [hostname, reason] of view.holds) state.holds.set(hostname, reason);
  for (const f of view.families) {
    state.families.set(f.specId, {
      specId: f.specId,
      spec: f.spec,
      ...(f.requested !== undefined ? { requested: f.requested } : {}),
      kind: f.kind,
      labels: f.labels,
      copies: new Map(f.copies),
      excluded: new Set(f.excluded),
      retired: f.retired,
    });
  }
  for (const e of view.intelligence ?? []) state.intelligence.set(e.id, familyFromEntry(e));
  if (view.meta.autoScale !== undefined) state.autoScale = view.meta.autoScale;
  for (const j of view.jobs ?? []) state.jobs.set(j.id, restoreJob(j, now));
  state.jobTimersToArm = state.jobs.size > 0;
  for (const p of view.pools ?? []) restorePool(state, p, now);
  const ended: TaskRecord[] = [];
  for (const d of [...view.tasks].sort((a, b) => a.seq - b.seq)) {
    const task = restoreTask(d, now);
    state.tasks.set(task.id, task);
    if (task.phase === 'pending') {
      state.pending.set(task.id, task);
      if (task.pinnedAgentId !== undefined) state.pendingPinned.add(task.id);
      state.placementDirty = true;
    } else if (task.phase === 'done') {
      ended.push(task);
    } else {
      const agentId = task.agentId;
      if (agentId !== undefined) {
        let waiting = state.awaitingAgent.get(agentId);
        if (!waiting) {
          waiting = new Set();
          state.awaitingAgent.set(agentId, waiting);
        }
        waiting.add(task.id);
      }
      let live = state.liveBySpec.get(task.specId);
      if (!live) {
        live = new Set();
        state.liveBySpec.set(task.specId, live);
      }
      live.add(task.id);
    }
  }
  // A job's copies in flight are its tasks that have not ended (the job's own entry may be a step
  // behind them if a crash tore the journal between the two).
  for (const task of state.tasks.values()) {
    const job = task.job === undefined ? undefined : state.jobs.get(task.job);
    // A copy being killed belongs to a job that was deleted (perhaps since replaced under its id).
    if (job && task.phase !== 'done' && task.killRequested === undefined) job.active.add(task.id);
  }
  for (const job of state.jobs.values()) {
    if (job.status !== 'running' || job.active.size > 0) continue;
    // Its wave ended just before the stop, unrecorded: go on as the end of a wave would.
    if (jobRemaining(job) <= 0) {
      job.status = 'completed';
      job.endedAt = now;
    } else {
      job.status = 'waiting';
      job.nextWaveAt = now + job.spec.waitMs;
    }
  }
  for (const task of ended.slice(Math.max(0, ended.length - config.historyLimit)))
    state.history.push(task.id);
  for (const task of ended.slice(0, Math.max(0, ended.length - config.historyLimit)))
    state.tasks.delete(task.id);
  if (state.pending.size > 0) state.framework.lastWorkAt = now;
  return state;
}

function restoreJob(d: DurableJob, now: number): JobRecord {
  const job: JobRecord = {
    id: d.id,
    spec: d.spec,
    labels: d.labels,
    submittedAt: now,
    status: d.status,
    waves: d.waves,
    started: d.started,
    succeeded: d.succeeded,
    failed: d.failed,
    // Rebuilt from the tasks, each of which names its job: see restoreState.
    active: new Set(),
  };
  // How long the wait had left is not known: a waiting job waits a whole period again.
  if (job.status === 'waiting') job.nextWaveAt = now + d.spec.waitMs;
  return job;
}

/**
 * A pool as it was (pools that are no longer configured are dropped). A creation in flight may or
 * may not have happened: the node waits for its agent like a booted one (an error after
 * `max_launch_time`, then destroyed). A destroy in flight is done again.
 */
function restorePool(state: SchedulerState, d: DurablePool, now: number): void {
  const pool = state.pools.get(d.name);
  if (!pool) return;
  // A frozen or draining pool keeps the bounds it was given; a normal one takes the configuration's
  // (which may have been changed for this start).
  pool.mode = d.mode;
  if (d.mode !== 'normal') {
    pool.min = d.min;
    pool.max = d.max;
  }
  pool.nextIndex = Math.max(pool.nextIndex, d.nextIndex);
  for (const n of d.nodes) {
    const phase: PoolNodePhase =
      n.phase === 'starting' ? 'booted' : n.phase === 'deleting' ? 'error' : n.phase;
    pool.nodes.set(n.hostname, {
      hostname: n.hostname,
      pool: d.name,
      phase,
      requestedAt: now,
      since: now,
      destroyFailures: n.destroyFailures,
      ...(n.poolHold ? { poolHold: true } : {}),
      ...(n.agentId !== undefined ? { agentId: n.agentId } : {}),
      ...(n.phase === 'deleting'
        ? { message: 'a destroy was interrupted by a restart' }
        : n.message !== undefined
          ? { message: n.message }
          : {}),
    });
  }
}

function restoreTask(d: DurableTask, now: number): TaskRecord {
  const need = specNeed(d.spec);
  const classKey = classKeyOf(d.spec, need);
  const task: TaskRecord = {
    id: d.id,
    specId: d.spec.id,
    spec: d.spec,
    requested: d.requested ?? d.spec,
    need,
    kind: d.kind,
    labels: d.labels,
    seq: d.seq,
    origin: d.origin,
    notBefore: now,
    phase: d.phase,
    submittedAt: now,
    failures: d.failures,
    ...(d.previous !== undefined ? { previous: d.previous } : {}),
    ...(d.pinnedAgentId !== undefined ? { pinnedAgentId: d.pinnedAgentId } : {}),
    ...(d.job !== undefined ? { job: d.job } : {}),
    ...(classKey !== undefined ? { classKey } : {}),
  };
  if (d.state !== undefined) task.state = d.state;
  if (d.reason !== undefined) task.reason = d.reason;
  if (d.message !== undefined) task.message = d.message;
  if (d.agentId !== undefined) task.agentId = d.agentId;
  if (d.hostname !== undefined) task.hostname = d.hostname;
  if (d.killRequested !== undefined) task.killRequested = d.killRequested;
  if (task.phase === 'running') task.runningAt = now;
  if (task.phase === 'done') task.endedAt = now;
  if (task.phase === 'unreachable') task.unreachableAt = now;
  return task;
}
