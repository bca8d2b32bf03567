import { observedFraction, taskObservedMem } from '../observed.ts';
import type { ScorerPlugin } from '../plugin.ts';

/**
 * Packs by observed rather than requested memory: prefers the agent whose observed memory is the
 * largest share of its capacity once the task's observed peak (its request while its family has
 * no samples) is added — the fullest by real use. score = observed fraction + task / capacity.
 * The pipeline pairs it with the UsageHeadroom filter, so it never packs past the safety margin.
 * The bound (largest observed fraction among agents with the cpus free, smallest capacity) is
 * exact for identical agents.
 */
export const usageAware = {
  name: 'usage-aware',
  description: 'fullest agent by observed memory that keeps a safety margin free',
  observedBounds: true,
  score: (task, agent, ctx) => observedFraction(agent) + taskObservedMem(ctx, task) / agent.capacity.mem,
  bound: (task, s, ctx) => s.maxObservedFractionWithCpus + taskObservedMem(ctx, task) / s.minCapacityMem,
} as const satisfies ScorerPlugin;
