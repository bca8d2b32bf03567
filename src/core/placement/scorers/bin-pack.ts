import type { ScorerPlugin } from '../plugin.ts';
import { freeFraction, needFraction } from './free-fraction.ts';

/**
 * Prefers the agent left fullest after placement: score = 1 − (free fraction − the task's
 * fraction). The bound uses the emptiest-so-far agent and the smallest capacity of a subtree;
 * every operation is monotonic, so it never undercuts a real score and is exact for identical agents.
 */
export const binPack = {
  name: 'bin-pack',
  description: 'fullest agent that fits (fewer, busier agents)',
  score: (task, agent) =>
    1 -
    freeFraction(agent.free, agent.capacity) +
    needFraction(task.need, agent.capacity.cpus, agent.capacity.mem),
  bound: (task, s) => 1 - s.minFreeFraction + needFraction(task.need, s.minCapacityCpus, s.minCapacityMem),
} as const satisfies ScorerPlugin;
