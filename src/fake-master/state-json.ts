import type { ClusterState } from '../../sim/cluster/cluster-state.ts';
import type { SimTask } from '../../sim/cluster/types.ts';
import { frameworkRoles } from '../../sim/cluster/validation.ts';
import { formatRanges, type Resources } from '../core/model/resources.ts';

const VERSION = '1.11.0';

interface Flat {
  cpus: number;
  gpus: number;
  mem: number;
  disk: number;
  ports?: string;
}

function flat(r: Resources): Flat {
  return {
    cpus: r.cpus,
    gpus: 0,
    mem: r.mem,
    disk: r.disk,
    ...(r.ports.length > 0 ? { ports: formatRanges(r.ports) } : {}),
  };
}

function sum(list: Iterable<Resources>): Flat {
  const total: Flat = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
  for (const r of list) {
    total.cpus += r.cpus;
    total.mem += r.mem;
    total.disk += r.disk;
  }
  return total;
}

export interface StateContext {
  readonly self: { host: string; port: number };
  readonly leader: { host: string; port: number } | undefined;
  /** The master's command-line flags as `/master/state` lists them (all values are strings). */
  readonly flags: Readonly<Record<string, string>>;
}

/**
 * `GET /master/state` in the master's v0 JSON shape: flat resources (`ports` as "[a-b, c-d]"),
 * agents as `slaves`, times as seconds since the epoch, tasks and offers under their framework.
 */
export function masterState(cs: ClusterState, ctx: StateContext) {
  const seconds = (simMs: number) => (cs.epochMs + simMs) / 1000;
  const pid = (h: { host: string; port: number }) => `master@${h.host}:${h.port}`;
  const agents = [...cs.agents.values()].filter((a) => !a.removed);
  const live = [...cs.tasks.values()].filter((t) => !t.released);
  const offers = [...cs.offers.values()];
  const taskJson = (t: SimTask) => ({
    id: t.id,
    name: t.info.name,
    framework_id: t.frameworkId,
    executor_id: '',
    slave_id: t.agentId,
    state: t.forwardedState ?? 'TASK_STAGING',
    resources: flat(t.resources),
    role: frameworkRoles(cs.frameworks.get(t.frameworkId)?.info ?? { user: '', name: '' })[0] ?? '*',
    statuses: t.forwardedState ? [{ state: t.forwardedState, timestamp: seconds(cs.sim.now()) }] : [],
  });
  return {
    version: VERSION,
    id: cs.masterId,
    pid: pid(ctx.self),
    hostname: ctx.self.host,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    start_time: seconds(0),
    elected_time: seconds(cs.electedAt),
    activated_slaves: agents.length,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    ...(ctx.leader
      ? {
          leader: pid(ctx.leader),
          leader_info: {
            id: cs.masterId,
            pid: pid(ctx.leader),
            port: ctx.leader.port,
            hostname: ctx.leader.host,
          },
        }
      : {}),
    flags: ctx.flags,
    slaves: agents.map((a) => ({
      id: a.id,
      hostname: a.hostname,
      port: 5051,
      pid: `slave(1)@${a.hostname}:5051`,
      registered_time: seconds(a.registeredAt),
      attributes: Object.fromEntries(
        Object.entries(a.attributes).map(([k, v]) => [k, /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]),
      ),
      resources: flat(a.total),
      used_resources: sum(live.filter((t) => t.agentId === a.id).map((t) => t.resources)),
      offered_resources: sum(offers.filter((o) => o.agentId === a.id).map((o) => o.resources)),
      reserved_resources: {},
      unreserved_resources: flat(a.total),
      active: true,
      version: VERSION,
    })),
    recovered_slaves: [],
    frameworks: [...cs.frameworks.values()]
      .filter((f) => !f.removed)
      .map((f) => {
        const tasks = live.filter((t) => t.frameworkId === f.id);
        const mine = offers.filter((o) => o.frameworkId === f.id);
        return {
          id: f.id,
          name: f.info.name,
          user: f.info.user,
          hostname: f.info.hostname ?? '',
          webui_url: f.info.webui_url ?? '',
          pid: '',
          active: f.connection?.open === true && !f.suppressed,
          connected: f.connection?.open === true,
          recovered: !f.registered,
          registered_time: seconds(f.registeredAt),
          failover_timeout: f.info.failover_timeout ?? 0,
          checkpoint: f.info.checkpoint ?? false,
          principal: f.info.principal ?? '',
          roles: frameworkRoles(f.info),
          capabilities: (f.info.capabilities ?? []).map((c) => c.type),
          used_resources: sum(tasks.map((t) => t.resources)),
          offered_resources: sum(mine.map((o) => o.resources)),
          tasks: tasks.map(taskJson),
          unreachable_tasks: [],
          completed_tasks: [...cs.tasks.values()]
            .filter((t) => t.frameworkId === f.id && t.released)
            .map(taskJson),
          offers: mine.map((o) => ({
            id: o.id,
            framework_id: f.id,
            slave_id: o.agentId,
            resources: flat(o.resources),
          })),
          executors: [],
        };
      }),
    completed_frameworks: [...cs.completed].map((id) => ({ id })),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
