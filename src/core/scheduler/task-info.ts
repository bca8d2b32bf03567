import type { ContainerInfo, Resource, TaskInfo } from '../mesos/v1.ts';
import { resourcesToMesos } from '../model/resources.ts';
import type { TaskRecord } from './state.ts';

/** Role and allocation info of the offered resources, so launched resources match them. */
export interface OfferRoles {
  role?: string;
  allocationRole?: string;
}

export function rolesOf(template: readonly Resource[]): OfferRoles {
  const first = template[0];
  const roles: OfferRoles = {};
  if (first?.role !== undefined) roles.role = first.role;
  if (first?.allocation_info !== undefined) roles.allocationRole = first.allocation_info.role;
  return roles;
}

const NETWORK = { bridge: 'BRIDGE', host: 'HOST', none: 'NONE' } as const;

/**
 * The Mesos TaskInfo for a Charmander task: a Docker container (bridge networking unless told
 * otherwise, port mappings, volumes) run by the built-in executor with the image's entrypoint and
 * the spec's `arguments`.
 */
export function buildTaskInfo(task: TaskRecord, agentId: string, roles: OfferRoles): TaskInfo {
  const spec = task.spec;
  const container: ContainerInfo = {
    type: 'DOCKER',
    docker: {
      image: spec.dockerimage,
      network: NETWORK[spec.networkmode ?? 'bridge'],
      ...(spec.ports && spec.ports.length > 0
        ? {
            port_mappings: spec.ports.map((p) => ({
              host_port: p.host_port,
              container_port: p.container_port,
              protocol: 'tcp',
            })),
          }
        : {}),
    },
  };
  if (spec.volumes && spec.volumes.length > 0) {
    container.volumes = spec.volumes.map((v) => ({
      container_path: v.container_path,
      host_path: v.host_path,
      mode: v.mode === 'ro' ? 'RO' : 'RW',
    }));
  }
  const info: TaskInfo = {
    name: spec.id,
    task_id: { value: task.id },
    agent_id: { value: agentId },
    resources: resourcesToMesos(task.need, roles.role, roles.allocationRole),
    command:
      spec.cmd !== undefined
        ? { shell: true, value: spec.cmd }
        : {
            shell: false,
            ...(spec.arguments && spec.arguments.length > 0 ? { arguments: spec.arguments } : {}),
          },
    container,
  };
  if (task.labels.length > 0) info.labels = { labels: task.labels.map((l) => ({ ...l })) };
  return info;
}
