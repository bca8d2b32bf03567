import { groupHostnames } from './load.ts';
import type { AgentGroup } from './types.ts';

/**
 * The agents of a group, as the simulator and the fake master create them: `<name>-<n>`, the
 * group's resources and attributes, and a `nodename` attribute equal to the hostname unless the
 * group sets one (as Charmander's lab did).
 */
export function groupAgents(group: AgentGroup) {
  return groupHostnames(group).map((hostname) => ({
    hostname,
    resources: {
      cpus: group.resources.cpus,
      mem: group.resources.mem,
      disk: group.resources.disk,
      ports: group.resources.ports.map((r) => ({ begin: r.begin, end: r.end })),
    },
    attributes: { nodename: hostname, ...group.attributes },
  }));
}
