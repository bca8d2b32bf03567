import { rangesInclude } from '../../model/resources.ts';
import type { FilterPlugin } from '../plugin.ts';

/**
 * Every requested host port must lie in the agent's offered port ranges. Ports already used by a
 * running task are never offered, so two tasks never share a host port on one agent.
 */
export const ports = {
  name: 'Ports',
  filter: (_ctx, task, agent) =>
    task.need.ports.length === 0 || rangesInclude(agent.free.ports, task.need.ports)
      ? undefined
      : 'PortsUnavailable',
} as const satisfies FilterPlugin;
