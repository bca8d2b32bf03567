import type { ClusterState } from '../../sim/cluster/cluster-state.ts';
import { formatRanges, type Resources } from '../core/model/resources.ts';

function flat(r: Resources): Record<string, number | string> {
  return {
    cpus: r.cpus,
    gpus: 0,
    mem: r.mem,
    disk: r.disk,
    ...(r.ports.length > 0 ? { ports: formatRanges(r.ports) } : {}),
  };
}

/** `GET /master/state` in the master's v0 JSON shape (slaves, frameworks, tasks; flat resources). */
export function masterState(
  cs: ClusterState,
  self: { host: string; port: number },
  leader: { host: string; port: number } | undefined,
) {
  const agents = [...cs.agents.values()].filter((a) => !a.removed);
  const usedBy = (agentId: string, frameworkId?: string) => {
    let cpus = 0;
    let mem = 0;
    let disk = 0;
    for (const t of cs.tasks.values()) {
      if (t.agentId !== agentId || t.released || (frameworkId !== undefined && t.frameworkId !== frameworkId))
        continue;
      cpus += t.resources.cpus;
      mem += t.resources.mem;
      disk += t.resources.disk;
    }
    return { cpus, mem, disk, gpus: 0 };
  };
  const offered = (agentId: string) => {
    let cpus = 0;
    let mem = 0;
    let disk = 0;
    for (const o of cs.offers.values()) {
      if (o.agentId !== agentId) continue;
      cpus += o.resources.cpus;
      mem += o.resources.mem;
      disk += o.resources.disk;
    }
    return { cpus, mem, disk, gpus: 0 };
  };
  const pid = (h: { host: string; port: number }) => `master@${h.host}:${h.port}`;
  return {
    version: '1.11.0',
    id: cs.masterId,
    pid: pid(self),
    hostname: self.host,
    activated_slaves: agents.length,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    ...(leader
      ? {
          leader: pid(leader),
          leader_info: { id: cs.masterId, pid: pid(leader), port: leader.port, hostname: leader.host },
        }
      : {}),
    slaves: agents.map((a) => ({
      id: a.id,
      hostname: a.hostname,
      port: 5051,
      pid: `slave(1)@${a.hostname}:5051`,
      attributes: Object.fromEntries(
        Object.entries(a.attributes).map(([k, v]) => [k, /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]),
      ),
      resources: flat(a.total),
      used_resources: usedBy(a.id),
      offered_resources: offered(a.id),
      unreserved_resources: flat(a.total),
      active: true,
    })),
    frameworks: [...cs.frameworks.values()]
      .filter((f) => !f.removed)
      .map((f) => ({
        id: f.id,
        name: f.info.name,
        user: f.info.user,
        hostname: f.info.hostname ?? '',
        active: f.connection?.open === true && !f.suppressed,
        connected: f.connection?.open === true,
        recovered: false,
        failover_timeout: f.info.failover_timeout ?? 0,
        checkpoint: f.info.checkpoint ?? false,
        principal: f.info.principal ?? '',
        roles: f.info.roles ?? [f.info.role ?? '*'],
        capabilities: (f.info.capabilities ?? []).map((c) => c.type),
        tasks: [...cs.tasks.values()]
          .filter((t) => t.frameworkId === f.id && !t.released)
          .map((t) => ({
            id: t.id,
            name: t.info.name,
            framework_id: f.id,
            executor_id: '',
            slave_id: t.agentId,
            state: t.forwardedState ?? 'TASK_STAGING',
            resources: flat(t.resources),
            role: f.info.roles?.[0] ?? '*',
            statuses: t.forwardedState
              ? [{ state: t.forwardedState, timestamp: (cs.epochMs + cs.sim.now()) / 1000 }]
              : [],
          })),
        offers: [...f.offers].flatMap((id) => {
          const o = cs.offers.get(id);
          return o
            ? [{ id: o.id, framework_id: f.id, slave_id: o.agentId, resources: flat(o.resources) }]
            : [];
        }),
      })),
    completed_frameworks: [...cs.completed].map((id) => ({ id })),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
