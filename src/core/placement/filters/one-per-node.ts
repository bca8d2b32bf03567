import type { FilterPlugin } from '../plugin.ts';

/**
 * A one-per-node copy goes only to the agent it was created for, and never next to another live
 * copy of the same task.
 */
export const onePerNode = {
  name: 'OnePerNode',
  filter: (ctx, task, agent) => {
    if (task.spec.sla !== 'one-per-node') return undefined;
    if (task.pinnedAgentId !== undefined && task.pinnedAgentId !== agent.id) return 'PinnedToOtherAgent';
    return ctx.liveCopiesOnAgent(task.spec.id, agent.id) > 0 ? 'CopyAlreadyOnAgent' : undefined;
  },
} as const satisfies FilterPlugin;
