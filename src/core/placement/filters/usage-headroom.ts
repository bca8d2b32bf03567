import { round3 } from '../../model/resources.ts';
import { agentObservedMem, taskObservedMem } from '../observed.ts';
import type { FilterPlugin, PlacementContext, PlacementTask, SubtreeBounds } from '../plugin.ts';

/** Share of an agent's memory the usage-aware pipeline keeps free of observed use by default. */
export const DEFAULT_USAGE_MARGIN = 0.1;

/** A usage-headroom filter, with the margin it was built with. */
export interface UsageHeadroomFilter extends FilterPlugin {
  readonly margin: number;
  excludes(ctx: PlacementContext, task: PlacementTask, subtree: SubtreeBounds): boolean;
}

/**
 * Guards real memory, in the usage-aware pipeline only: rejects an agent where the task's observed
 * peak (its request while its family has no samples) on top of what the agent's live tasks are
 * observed to use would exceed `capacity.mem × (1 − margin)`. Both sides are compared to the kB
 * (`round3`), like every resource sum in offerlab. Mesos allocation — the requested resources —
 * is still enforced by the Resources filter.
 *
 * `excludes` is the same test in fractions of capacity over a subtree: the least observed
 * fraction among the agents with the cpus free for the task (the others fail Resources anyway)
 * plus the task over the largest capacity. It allows for the kB rounding
 * (0.001 MB / the smallest capacity) and for floating-point error, so it never skips an agent
 * the filter would let through.
 */
export function usageHeadroom(margin: number = DEFAULT_USAGE_MARGIN): UsageHeadroomFilter {
  if (!(Number.isFinite(margin) && margin >= 0 && margin < 1))
    throw new Error(`usage margin must be at least 0 and below 1, got ${margin}`);
  const keep = 1 - margin;
  return {
    name: 'UsageHeadroom',
    margin,
    observedBounds: true,
    filter: (ctx, task, agent) =>
      round3(agentObservedMem(agent) + taskObservedMem(ctx, task)) > round3(agent.capacity.mem * keep)
        ? 'ObservedUsageTooHigh'
        : undefined,
    excludes: (ctx, task, s) =>
      s.minObservedFractionWithCpus + taskObservedMem(ctx, task) / s.maxCapacityMem >
      keep + 0.001 / s.minCapacityMem + 1e-9,
  };
}
