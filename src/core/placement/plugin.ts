import type { Resources, Scalars } from '../model/resources.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { ReasonCode } from './reasons.ts';

/** What placement plugins see of an agent. Plugins must treat it as read-only. */
export interface PlacementAgent {
  readonly id: string;
  readonly hostname: string;
  /** Agent attributes as strings (TEXT values verbatim, SCALAR values as decimal text). */
  readonly attributes: Readonly<Record<string, string>>;
  /** What can be placed right now: the held offers minus what this cycle already reserved. */
  readonly free: Resources;
  /** Estimated total: offered plus what offerlab runs there. */
  readonly capacity: Scalars;
  readonly held: boolean;
  /** Number of offers currently held for this agent. */
  readonly offerCount: number;
  /**
   * Memory (MB) offerlab's live tasks here really use: for each task, its family's observed peak,
   * or its requested mem while the family has no samples. The scheduler keeps it up to date; a
   * view that does not track it leaves it out, and placement then counts what is allocated here
   * (`capacity.mem − free.mem`, see `agentObservedMem`).
   */
  readonly observedMem?: number;
}

/** What placement plugins see of a pending task. */
export interface PlacementTask {
  readonly id: string;
  readonly spec: TaskSpec;
  /** Resources the task asks for (host ports as single-port ranges). */
  readonly need: Resources;
  /** Set for one-per-node copies: the one agent this copy belongs to. */
  readonly pinnedAgentId?: string;
  /** Earliest time (ms) the task may be launched (relaunch backoff). */
  readonly notBefore: number;
}

/** Cluster-wide facts placement needs beyond one agent. */
export interface PlacementContext {
  readonly now: number;
  readonly paused: boolean;
  readonly subscribed: boolean;
  /** Non-terminal launched copies of a spec id on an agent (for one-per-node). */
  liveCopiesOnAgent(specId: string, agentId: string): number;
  /** A non-terminal launched copy of a singleton spec other than `taskId`, if any. */
  liveSingletonCopy(specId: string, taskId: string): { taskId: string; agentId: string } | undefined;
  /**
   * The observed peak memory (MB) of a task family (spec id), undefined while it has no samples.
   * A context without task intelligence leaves it out: every task then counts at its request.
   */
  observedPeakMem?(specId: string): number | undefined;
}

/** A rejection of a task as a whole, before any agent is looked at. */
export interface Rejection {
  readonly code: ReasonCode;
  readonly detail: string;
}

/**
 * Rejects a task before agents are considered (singleton, pause, backoff). Must be pure and
 * cheap; returns undefined to let the task through.
 */
export interface PreFilterPlugin {
  readonly name: string;
  preFilter(ctx: PlacementContext, task: PlacementTask): Rejection | undefined;
}

/**
 * Decides whether one agent can take one task. Must be pure, must not allocate on the pass path,
 * and returns a stable reason code when it rejects.
 *
 * `excludes` may answer for a whole index subtree: true when no agent in it can pass this filter
 * together with the standard ones (a necessary condition fails), so the index skips it. It must
 * never exclude a subtree holding an agent that passes every filter (mind floating-point
 * rounding); a filter without one is still correct.
 */
export interface FilterPlugin {
  readonly name: string;
  filter(ctx: PlacementContext, task: PlacementTask, agent: PlacementAgent): ReasonCode | undefined;
  excludes?(ctx: PlacementContext, task: PlacementTask, subtree: SubtreeBounds): boolean;
  /** Set when `excludes` reads the observed-memory fields of `SubtreeBounds` (see there). */
  readonly observedBounds?: boolean;
}

/**
 * Aggregates of an index subtree that scorers may use to bound their score (and filters to
 * exclude it). The `…Observed…` fields cost the index work on every update, so it keeps them only
 * once a search's scorer or filters declare `observedBounds`; until then they read as ±infinity,
 * which prunes nothing.
 */
export interface SubtreeBounds {
  /** Max over agents of the mean of free cpus/capacity and free mem/capacity. */
  maxFreeFraction: number;
  /** Min of the same. */
  minFreeFraction: number;
  minCapacityCpus: number;
  minCapacityMem: number;
  maxCapacityCpus: number;
  maxCapacityMem: number;
  /** Max over agents of observed memory / capacity mem (`observedFraction`). */
  maxObservedFraction: number;
  /** Min of the same. */
  minObservedFraction: number;
  /**
   * Max observed fraction among the agents with enough cpus free for the task being placed (by
   * the index's cpu thresholds, never above what the task needs): agents with fewer fail the
   * Resources filter, so a bound may ignore them. Equals `maxObservedFraction` when the task needs
   * almost no cpus.
   */
  maxObservedFractionWithCpus: number;
  /** Min of the same. */
  minObservedFractionWithCpus: number;
}

/**
 * Ranks agents that passed every filter; higher is better, ties go to the lower agent id.
 * `bound` returns an upper bound of `score` over all agents of a subtree, so the index can skip
 * subtrees; it must never be below a real score (mind floating-point rounding). A scorer without
 * one is still correct, only slower.
 */
export interface ScorerPlugin {
  readonly name: string;
  readonly description: string;
  /** Every agent scores the same: the first agent (in id order) that passes wins. */
  readonly constant?: boolean;
  /** Set when `bound` reads the observed-memory fields of `SubtreeBounds` (see there). */
  readonly observedBounds?: boolean;
  score(task: PlacementTask, agent: PlacementAgent, ctx: PlacementContext): number;
  bound?(task: PlacementTask, subtree: SubtreeBounds, ctx: PlacementContext): number;
}
