import type { PoolConfig } from '../pools/types.ts';

/** Everything that tunes the scheduler's behaviour. Times are in milliseconds unless named *Seconds. */
export interface SchedulerConfig {
  /** Placement scorer: first-fit | bin-pack | spread | usage-aware. */
  readonly placement: string;
  /**
   * Reshuffle strategy: `charmander` (kill and resubmit every reshuffleable task) or a planned
   * one — `planned`, `right-size`, `consolidate`, `rebalance` (see `core/reshuffle/planner.ts`).
   */
  readonly reshuffle: string;
  /** Planned reshuffles: moves in flight at once (one wave). */
  readonly reshuffleMaxConcurrentMoves: number;
  /** Planned reshuffles: running copies each family keeps while it moves. */
  readonly reshuffleMinRunning: number;
  /** Planned reshuffles: a wave that has not completed after this long stops the reshuffle. */
  readonly reshuffleWaveTimeoutMs: number;
  readonly frameworkName: string;
  /** Unix user tasks run as (FrameworkInfo.user). */
  readonly user: string;
  readonly role: string;
  readonly principal?: string;
  readonly hostname?: string;
  readonly failoverTimeoutSeconds: number;
  /** How long an unused offer is kept for work that may arrive. */
  readonly offerHoldMs: number;
  /** refuse_seconds when declining unused offers while tasks are pending. */
  readonly declineRefuseSeconds: number;
  /** refuse_seconds when declining unused offers with nothing to do. */
  readonly idleRefuseSeconds: number;
  /**
   * The framework counts as idle (long decline filter, SUPPRESS) only after no task has been
   * queued for this long; steady arrivals then never cause a REVIVE storm.
   */
  readonly idleSuppressMs: number;
  /** At most one REVIVE per this interval. */
  readonly reviveIntervalMs: number;
  /**
   * After a REVIVE, placement waits up to this long for the re-offers, so tasks are placed
   * against the whole cluster rather than the few offers that happened to be held.
   */
  readonly reviveWaitMs: number;
  readonly relaunchBackoffMs: number;
  readonly relaunchBackoffMaxMs: number;
  /** A replacement that ran at least this long resets the backoff. */
  readonly backoffResetMs: number;
  /** Batch tasks are retried at most this many times after failing. */
  readonly batchMaxRetries: number;
  /** Explicit reconciliation: first retry after this, doubling. */
  readonly reconcileBackoffMs: number;
  readonly reconcileMaxAttempts: number;
  /** Implicit reconciliation period. */
  readonly implicitReconcileMs: number;
  /** A TASK_UNREACHABLE task is replaced after this long (Marathon's inactiveAfter). */
  readonly unreachableTimeoutMs: number;
  /** Unanswered KILLs are sent again after this long. */
  readonly killRetryMs: number;
  /** Terminal tasks kept for queries. */
  readonly historyLimit: number;
  /**
   * Right-sizing from task intelligence: `off` (specs run as submitted) or the name of an
   * estimator (`charmander`, `p99-window`; see `core/intelligence/estimators.ts`) whose answer
   * becomes the `mem` of every task created (submit, relaunch, reshuffle, one-per-node copy), with
   * the manual overrides of `mem`, `nodename` and `sla` (see `core/intelligence/sizing.ts`).
   */
  readonly sizing: string;
  /**
   * usage-aware placement: the share of an agent's memory kept free of observed use (a task never
   * goes where its observed peak would eat into it).
   */
  readonly usageMargin: number;
  /** Elastic pools (Dynamic Cluster's resources). */
  readonly pools: readonly PoolConfig[];
  /** Auto mode at start: pools grow and shrink by themselves. */
  readonly autoScale: boolean;
  /** How often pools are checked (Dynamic Cluster polls its cluster every 10 s). */
  readonly poolCheckMs: number;
  /** A node whose destroy failed this many times stays in Error for an operator. */
  readonly poolDestroyAttempts: number;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  placement: 'first-fit',
  reshuffle: 'charmander',
  reshuffleMaxConcurrentMoves: 5,
  reshuffleMinRunning: 1,
  reshuffleWaveTimeoutMs: 300_000,
  frameworkName: 'offerlab',
  user: 'root',
  role: '*',
  failoverTimeoutSeconds: 7 * 24 * 3600,
  offerHoldMs: 30_000,
  declineRefuseSeconds: 5,
  idleRefuseSeconds: 120,
  idleSuppressMs: 60_000,
  reviveIntervalMs: 5_000,
  reviveWaitMs: 2_000,
  relaunchBackoffMs: 1_000,
  relaunchBackoffMaxMs: 60_000,
  backoffResetMs: 60_000,
  batchMaxRetries: 3,
  reconcileBackoffMs: 2_000,
  reconcileMaxAttempts: 8,
  implicitReconcileMs: 15 * 60_000,
  unreachableTimeoutMs: 300_000,
  killRetryMs: 30_000,
  historyLimit: 10_000,
  sizing: 'off',
  usageMargin: 0.1,
  pools: [],
  autoScale: true,
  poolCheckMs: 10_000,
  poolDestroyAttempts: 5,
};

export function makeConfig(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return { ...DEFAULT_CONFIG, ...overrides };
}
