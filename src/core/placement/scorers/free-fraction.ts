import type { Resources, Scalars } from '../../model/resources.ts';

/**
 * Mean of the cpus and mem fractions an agent has free. The index stores exactly this value per
 * agent, so scorers built from it can bound a subtree without rounding slack.
 */
export function freeFraction(free: Resources, capacity: Scalars): number {
  return (free.cpus / capacity.cpus + free.mem / capacity.mem) / 2;
}

/** Mean of the cpus and mem fractions of an agent of this capacity that a task takes. */
export function needFraction(need: Resources, capacityCpus: number, capacityMem: number): number {
  return (need.cpus / capacityCpus + need.mem / capacityMem) / 2;
}
