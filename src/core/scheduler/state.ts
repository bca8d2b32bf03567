import type { FamilyIntelligence } from '../intelligence/family.ts';
import { isSizingMode, SIZING_MODES } from '../intelligence/sizing.ts';
import type { Label, MasterInfo, Resource, TaskState, TaskStatusReason } from '../mesos/v1.ts';
import type { Resources, Scalars } from '../model/resources.ts';
import { PlacementIndex } from '../placement/index.ts';
import { type Pipeline, pipelineFor } from '../placement/pipeline.ts';
import type { PlacementAgent, PlacementTask } from '../placement/plugin.ts';
import { newPool, type PoolState } from '../pools/types.ts';
import type { Move } from '../reshuffle/planner.ts';
import type { JobSpec } from '../spec/job-spec.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { SchedulerConfig } from './config.ts';

/** A service runs until killed and is relaunched when it ends; a batch task runs to TASK_FINISHED. */
export type TaskKind = 'service' | 'batch';

/**
 * Where a task is in offerlab's own lifecycle:
 * pending (queued) → launching (ACCEPT sent) → staging/starting/running → done.
 */
export type TaskPhase =
  | 'pending'
  | 'launching'
  | 'staging'
  | 'starting'
  | 'running'
  | 'killing'
  | 'unreachable'
  | 'done';

/** Why offerlab asked Mesos to kill a task; killed tasks are never relaunched. */
export type KillCause = 'user' | 'reshuffle' | 'replaced' | 'orphan' | 'vacate';

/** How a task came to exist. */
export type TaskOrigin = 'submit' | 'relaunch' | 'reshuffle' | 'one-per-node';

export interface TaskRecord extends PlacementTask {
  readonly id: string;
  readonly specId: string;
  /** What the task runs with: the request, right-sized when sizing is on. */
  readonly spec: TaskSpec;
  /**
   * The spec as the user submitted it (before sizing and any SLA override); the same object as
   * `spec` when sizing changed nothing.
   */
  readonly requested: TaskSpec;
  readonly need: Resources;
  readonly kind: TaskKind;
  readonly labels: readonly Label[];
  readonly seq: number;
  readonly origin: TaskOrigin;
  readonly previous?: string;
  /** The ETL job this task is a copy of (retries of a copy keep it). */
  readonly job?: string;
  /** Placement equivalence class: identical unconstrained requests share one. */
  readonly classKey?: string;
  pinnedAgentId?: string;
  notBefore: number;
  phase: TaskPhase;
  state?: TaskState;
  reason?: TaskStatusReason;
  message?: string;
  agentId?: string;
  hostname?: string;
  submittedAt: number;
  launchedAt?: number;
  runningAt?: number;
  endedAt?: number;
  /** When Mesos reported the task TASK_UNREACHABLE. */
  unreachableAt?: number;
  /** Unexpected terminations in this task's lineage (drives backoff and batch retries). */
  failures: number;
  killRequested?: KillCause;
  killSentAt?: number;
}

export interface AgentRecord extends PlacementAgent {
  readonly id: string;
  hostname: string;
  attributes: Record<string, string>;
  free: Resources;
  capacity: Scalars;
  held: boolean;
  holdReason?: string;
  offerCount: number;
  offerIds: string[];
  /** What the agent had free at the last look (the last offers, minus what was placed on them). */
  lastFree: Resources;
  /** Resources of offerlab's launched, non-terminal tasks here. */
  used: Scalars;
  /**
   * Memory (MB) offerlab's launched, non-terminal tasks here really use: per task, its family's
   * observed peak, or its requested mem while the family has no samples. Kept up to date by
   * `tasks.ts` as tasks attach and detach and as a family's peak changes.
   */
  observedMem: number;
  /** The parts of `observedMem` per family (spec id): its tasks here, their requested mem, their share. */
  observedByFamily: Map<string, { tasks: number; requestedMem: number; mem: number }>;
  taskIds: Set<string>;
  firstSeenAt: number;
  lastOfferAt: number;
  /** Agent address from the offer URL, for metering (`/monitor/statistics`). */
  url?: { hostname?: string; ip?: string; port: number; scheme?: string; path?: string };
}

export interface HeldOffer {
  readonly id: string;
  readonly agentId: string;
  readonly resources: Resources;
  /** The offer's resource objects, so launches can copy their role and allocation info. */
  readonly template: readonly Resource[];
  readonly receivedAt: number;
  readonly expiresAt: number;
}

/** Bookkeeping for one-per-node and singleton tasks, keyed by spec id. */
export interface Family {
  readonly specId: string;
  /** The family's spec, unsized (with the SLA override that made it a family, if any). */
  readonly spec: TaskSpec;
  /** The spec as submitted, when an SLA override made it differ from `spec`. */
  readonly requested?: TaskSpec;
  readonly kind: TaskKind;
  readonly labels: readonly Label[];
  /** one-per-node: the current copy per agent. singleton: the current copy under key ''. */
  readonly copies: Map<string, string>;
  /** one-per-node agents where a user killed the copy: no new copy there. */
  readonly excluded: Set<string>;
  retired: boolean;
}

/** One move of a planned reshuffle in flight: the replacement and the copy it replaces. */
export interface MoveInFlight {
  readonly move: Move;
  readonly replacement: string;
  /** The old copy's KILL was sent (at once for kill-first, once the replacement runs otherwise). */
  killed: boolean;
}

export interface ReshuffleRun {
  readonly strategy: string;
  readonly waves: readonly (readonly Move[])[];
  /** Index of the wave in flight. */
  wave: number;
  inFlight: MoveInFlight[];
  readonly moved: string[];
}

/**
 * An ETL job: `running` while a wave's copies are in flight, `waiting` for the next wave,
 * `completed` when `total` copies ended, `deleted` by the user.
 */
export type JobStatus = 'running' | 'waiting' | 'completed' | 'deleted';

export interface JobRecord {
  readonly id: string;
  readonly spec: JobSpec;
  /** TaskInfo labels of every copy (the simulator's behaviour hints). */
  readonly labels: readonly Label[];
  readonly submittedAt: number;
  status: JobStatus;
  /** Waves started. */
  waves: number;
  /** Copies started (a retry of a failed copy is the same copy). */
  started: number;
  /** Copies that finished (TASK_FINISHED). */
  succeeded: number;
  /** Copies that ended otherwise for good (retries exhausted, killed, refused). */
  failed: number;
  /** The current task of every copy in flight. */
  readonly active: Set<string>;
  /** When the next wave starts (status `waiting`). */
  nextWaveAt?: number;
  endedAt?: number;
}

export interface Reconciliation {
  readonly startedAt: number;
  readonly total: number;
  readonly remaining: Set<string>;
  attempt: number;
}

export interface FrameworkState {
  id?: string;
  connected: boolean;
  subscribed: boolean;
  suppressed: boolean;
  /** A decline with the idle filter happened since the last REVIVE. */
  declinedIdle: boolean;
  lastReviveAt: number;
  reviveWanted: boolean;
  /** When a task was last queued (drives the idle decision). */
  lastWorkAt: number;
  /** Placement waits for the offers of the last REVIVE until this time (or until they arrive). */
  awaitingOffersUntil: number;
  masterInfo?: MasterInfo;
  subscribedAt?: number;
  subscriptions: number;
}

export interface SchedulerState {
  readonly config: SchedulerConfig;
  readonly pipeline: Pipeline;
  readonly framework: FrameworkState;
  nextSeq: number;
  /** Every task not yet pruned from history, by unique task id. */
  readonly tasks: Map<string, TaskRecord>;
  /** Pending tasks in submission order. */
  readonly pending: Map<string, TaskRecord>;
  /**
   * Pending tasks pinned to one agent (one-per-node copies, reshuffle replacements), in queue
   * order: placement serves them first, as Charmander placed its SLA tasks first, so a queue of
   * ordinary tasks cannot fill an agent before the copy that belongs on it.
   */
  readonly pendingPinned: Set<string>;
  /** Pending tasks created with a relaunch backoff still running. */
  readonly backingOff: Set<string>;
  /** Something changed that may let a pending task be placed. */
  placementDirty: boolean;
  /** Launched, non-terminal tasks per spec id. */
  readonly liveBySpec: Map<string, Set<string>>;
  readonly families: Map<string, Family>;
  readonly agents: Map<string, AgentRecord>;
  readonly agentsByHostname: Map<string, string>;
  /** Agents Mesos reported removed; late updates for them are expected. */
  readonly removedAgents: Set<string>;
  /**
   * Agents that are not held, hold no offer, and had room at the last look: where a REVIVE could
   * bring back resources a queued task fits into. Kept up to date so that question costs nothing
   * on a large cluster.
   */
  readonly roomWithoutOffer: Set<string>;
  /**
   * Launched tasks restored from durable state, by the id of an agent not seen since: they are
   * counted against the agent when its first offer arrives.
   */
  readonly awaitingAgent: Map<string, Set<string>>;
  readonly offers: Map<string, HeldOffer>;
  readonly index: PlacementIndex;
  /** Requested holds by hostname (may name agents not seen yet). */
  readonly holds: Map<string, string>;
  paused: boolean;
  reconciliation?: Reconciliation;
  reconciled: boolean;
  /** The planned reshuffle being applied, wave by wave. */
  reshuffleRun?: ReshuffleRun;
  /** Terminal task ids, oldest first, for pruning. */
  readonly history: string[];
  /** Timers the core currently wants: key → due time. */
  readonly timers: Map<string, number>;
  readonly counters: Counters;
  /** Task intelligence per family (spec id): observed usage and manual overrides. */
  readonly intelligence: Map<string, FamilyIntelligence>;
  /** ETL jobs by id (ended ones are kept until a job with the same id replaces them). */
  readonly jobs: Map<string, JobRecord>;
  /** Waiting jobs whose wave timer is not armed yet (after a restore, timers are gone). */
  jobTimersToArm: boolean;
  /** Elastic pools by name. */
  readonly pools: Map<string, PoolState>;
  /** Dynamic Cluster's auto mode: pools grow and shrink by themselves. */
  autoScale: boolean;
  /** When the pools were last checked. */
  poolsCheckedAt?: number;
}

/** Monotonic counters (exported as metrics by the daemon). */
export interface Counters {
  offersReceived: number;
  offersDeclined: number;
  offersRescinded: number;
  launches: number;
  updates: number;
  acks: number;
  kills: number;
  relaunches: number;
  revives: number;
  suppresses: number;
  subscriptions: number;
  reconciliations: number;
  lastReconcileMs: number;
}

export function createState(config: SchedulerConfig, frameworkId?: string): SchedulerState {
  if (!isSizingMode(config.sizing))
    throw new Error(`unknown sizing "${config.sizing}" (known: ${SIZING_MODES.join(', ')})`);
  const framework: FrameworkState = {
    connected: false,
    subscribed: false,
    suppressed: false,
    declinedIdle: false,
    lastReviveAt: Number.NEGATIVE_INFINITY,
    reviveWanted: false,
    awaitingOffersUntil: Number.NEGATIVE_INFINITY,
    lastWorkAt: Number.NEGATIVE_INFINITY,
    subscriptions: 0,
  };
  if (frameworkId !== undefined) framework.id = frameworkId;
  return {
    config,
    pipeline: pipelineFor(config.placement, { usageMargin: config.usageMargin }),
    framework,
    nextSeq: 1,
    tasks: new Map(),
    pending: new Map(),
    pendingPinned: new Set(),
    backingOff: new Set(),
    placementDirty: false,
    liveBySpec: new Map(),
    families: new Map(),
    agents: new Map(),
    agentsByHostname: new Map(),
    removedAgents: new Set(),
    roomWithoutOffer: new Set(),
    awaitingAgent: new Map(),
    offers: new Map(),
    index: new PlacementIndex(),
    holds: new Map(),
    paused: false,
    reconciled: false,
    history: [],
    timers: new Map(),
    counters: {
      offersReceived: 0,
      offersDeclined: 0,
      offersRescinded: 0,
      launches: 0,
      updates: 0,
      acks: 0,
      kills: 0,
      relaunches: 0,
      revives: 0,
      suppresses: 0,
      subscriptions: 0,
      reconciliations: 0,
      lastReconcileMs: 0,
    },
    intelligence: new Map(),
    jobs: new Map(),
    jobTimersToArm: false,
    pools: new Map(config.pools.map((p) => [p.name, newPool(p)])),
    autoScale: config.autoScale,
  };
}

/** True for phases in which a task holds resources on an agent (launched, not terminal). */
export function isLive(task: TaskRecord): boolean {
  return task.phase !== 'pending' && task.phase !== 'done';
}
