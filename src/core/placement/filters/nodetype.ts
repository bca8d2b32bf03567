import type { FilterPlugin } from '../plugin.ts';

/** `nodetype` must equal the agent's `nodetype` attribute. */
export const nodetype = {
  name: 'Nodetype',
  filter: (_ctx, task, agent) =>
    task.spec.nodetype === undefined || agent.attributes.nodetype === task.spec.nodetype
      ? undefined
      : 'NodetypeMismatch',
} as const satisfies FilterPlugin;
