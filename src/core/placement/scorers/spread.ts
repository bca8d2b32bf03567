import type { ScorerPlugin } from '../plugin.ts';
import { BOUND_SLACK, freeFractionAfter } from './free-fraction.ts';

/** Prefers the agent left emptiest after placement (most free cpus+mem fraction). */
export const spread = {
  name: 'spread',
  description: 'emptiest agent that fits (load spread evenly)',
  score: (task, agent) => freeFractionAfter(task, agent),
  bound: (_task, s) => s.maxFreeFraction + BOUND_SLACK,
} as const satisfies ScorerPlugin;
