import type { FilterPlugin } from '../plugin.ts';

/** cpus, mem and disk must fit in what the agent has free right now. */
export const resources = {
  name: 'Resources',
  filter: (_ctx, task, agent) => {
    if (agent.free.cpus < task.need.cpus) return 'InsufficientCpus';
    if (agent.free.mem < task.need.mem) return 'InsufficientMem';
    if (agent.free.disk < task.need.disk) return 'InsufficientDisk';
    return undefined;
  },
} as const satisfies FilterPlugin;
