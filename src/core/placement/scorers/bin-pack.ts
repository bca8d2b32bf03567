import type { ScorerPlugin } from '../plugin.ts';
import { BOUND_SLACK, freeFractionAfter } from './free-fraction.ts';

/** Prefers the agent left fullest after placement (least free cpus+mem fraction). */
export const binPack = {
  name: 'bin-pack',
  description: 'fullest agent that fits (fewer, busier agents)',
  score: (task, agent) => 1 - freeFractionAfter(task, agent),
  bound: (task, s) =>
    1 -
    (s.minFreeFraction - (task.need.cpus / s.minCapacityCpus + task.need.mem / s.minCapacityMem) / 2) +
    BOUND_SLACK,
} as const satisfies ScorerPlugin;
