import type { FilterPlugin } from '../plugin.ts';

/** Held or paused agents (Dynamic Cluster hold, Scale node pause) take no new tasks. */
export const heldAgent = {
  name: 'HeldAgent',
  filter: (_ctx, _task, agent) => (agent.held ? 'AgentHeld' : undefined),
} as const satisfies FilterPlugin;
