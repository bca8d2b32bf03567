import type { FilterPlugin } from '../plugin.ts';

/** `nodename` must equal the agent's `nodename` attribute. */
export const nodename = {
  name: 'Nodename',
  filter: (_ctx, task, agent) =>
    task.spec.nodename === undefined || agent.attributes.nodename === task.spec.nodename
      ? undefined
      : 'NodenameMismatch',
} as const satisfies FilterPlugin;
