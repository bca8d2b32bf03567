import type { PlacementAgent, PlacementContext, PlacementTask } from './plugin.ts';

/**
 * Observed (rather than requested) memory, as the usage-aware filter and scorer and the index
 * see it. One definition for all three, so the index's aggregates are computed with exactly the
 * arithmetic the scorer uses.
 */

/**
 * Memory (MB) an agent's live tasks really use: `observedMem` when the view tracks it, otherwise
 * what is allocated there (`capacity.mem − free.mem`, never below 0).
 */
export function agentObservedMem(agent: PlacementAgent): number {
  return agent.observedMem ?? Math.max(0, agent.capacity.mem - agent.free.mem);
}

/** Observed memory over capacity; the index keeps exactly this value per agent. */
export function observedFraction(agent: PlacementAgent): number {
  return agentObservedMem(agent) / agent.capacity.mem;
}

/**
 * Memory (MB) a task will really use: its family's observed peak, or what it asks for while the
 * family has no samples (or the context knows no task intelligence).
 */
export function taskObservedMem(ctx: PlacementContext, task: PlacementTask): number {
  return ctx.observedPeakMem?.(task.spec.id) ?? task.need.mem;
}
