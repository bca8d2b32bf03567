import type { PlacementAgent, PlacementTask } from '../plugin.ts';

/**
 * Mean of the cpus and mem fractions an agent would still have free after taking the task.
 * Shared by bin-pack and spread so both rank with exactly the same arithmetic.
 */
export function freeFractionAfter(task: PlacementTask, agent: PlacementAgent): number {
  return (
    ((agent.free.cpus - task.need.cpus) / agent.capacity.cpus +
      (agent.free.mem - task.need.mem) / agent.capacity.mem) /
    2
  );
}

/** Slack added to index bounds so floating-point rounding can never prune the true best agent. */
export const BOUND_SLACK = 1e-9;
