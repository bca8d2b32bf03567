import type { ScorerPlugin } from '../plugin.ts';
import { freeFraction, needFraction } from './free-fraction.ts';

/**
 * Prefers the agent left emptiest after placement: score = free fraction − the task's fraction.
 * The bound (largest free fraction, largest capacity) is exact for identical agents.
 */
export const spread = {
  name: 'spread',
  description: 'emptiest agent that fits (load spread evenly)',
  score: (task, agent) =>
    freeFraction(agent.free, agent.capacity) -
    needFraction(task.need, agent.capacity.cpus, agent.capacity.mem),
  bound: (task, s) => s.maxFreeFraction - needFraction(task.need, s.maxCapacityCpus, s.maxCapacityMem),
} as const satisfies ScorerPlugin;
