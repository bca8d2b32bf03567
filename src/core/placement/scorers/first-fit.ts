import type { ScorerPlugin } from '../plugin.ts';

/**
 * Charmander's behaviour: the first agent (in agent-id order) that passes every filter wins. Every
 * agent scores the same, so the tie-break on agent id decides and the search stops at the first fit.
 */
export const firstFit = {
  name: 'first-fit',
  description: 'first agent in id order that fits (Charmander)',
  constant: true,
  score: () => 0,
  bound: () => 0,
} as const satisfies ScorerPlugin;
