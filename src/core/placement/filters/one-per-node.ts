import type { FilterPlugin } from '../plugin.ts';

/**
 * A pinned task (a one-per-node copy) goes only to the agent it was created for, and a
 * one-per-node copy never next to another live copy of the same task.
 */
export const onePerNode = {
  name: 'OnePerNode',
  filter: (ctx, task, agent) => {
    if (task.pinnedAgentId !== undefined && task.pinnedAgentId !== agent.id) return 'PinnedToOtherAgent';
    if (task.spec.sla !== 'one-per-node') return undefined;
    return ctx.liveCopiesOnAgent(task.spec.id, agent.id) > 0 ? 'CopyAlreadyOnAgent' : undefined;
  },
} as const satisfies FilterPlugin;
