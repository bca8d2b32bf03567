import type { FastifyPluginAsync } from 'fastify';
import type { Scalars } from '../../core/model/resources.ts';
import { poolNode, poolNodeCode } from '../../core/scheduler/pools.ts';
import type { AgentRecord, SchedulerState, TaskRecord } from '../../core/scheduler/state.ts';
import type { TaskSpec } from '../../core/spec/task-spec.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, ClientError, notFound } from '../errors.ts';
import {
  agentByHostname,
  checkNoBody,
  checkQuery,
  isoTime,
  type NodeTracker,
  nodeTracker,
  scalars,
  WORKER_NODE_STATE_NAMES,
  WorkerNodeState,
  type WorkerNodeStateCode,
  wallTime,
  workerNodeState,
} from '../node-views.ts';
import { agentsInOrder } from '../views.ts';

/** A worker node as Dynamic Cluster's `GET /workernode` shows it; a Mesos agent in offerlab. */
export interface WorkerNodeView {
  hostname: string;
  type: 'mesos';
  /** 0 Inexistent, 1 Starting, 2 Idle, 3 Busy, 4 Error, 5 Deleting, 6 Holding, 7 Held. */
  state: WorkerNodeStateCode;
  num_proc: number;
  /** offerlab's launched tasks on the node, comma-separated (Torque's job list); null when none. */
  jobs: string | null;
  /** Epoch seconds when the node entered its current state. */
  state_start_time: number;
  time_in_current_state: number;
  extra_attributes: {
    agent_id: string;
    attributes: Record<string, string>;
    hold_reason: string | null;
    total: Scalars;
    scheduled: Scalars;
  };
  /** The cloud instance behind the node: none, offerlab provisions no machines (yet). */
  instance: null;
}

/** A queued task as Dynamic Cluster showed a queued job (`GET /server/queues`). */
export interface QueuedView {
  jobid: string;
  name: string;
  owner: string;
  /** Dynamic Cluster's job states: 0 Queued (every job listed here), 1 Running, 2 Other. */
  state: 0;
  queue: 'default';
  account: null;
  /** The node type the task asks for (Torque's node property). */
  property: string | null;
  priority: number;
  requested_cores: number;
  cores_per_node: number;
  requested_mem: number;
  requested_walltime: null;
  /** Epoch seconds of the submission, as a string like Torque's. */
  creation_time: string;
  extra_attributes: {
    requested_disk: number;
    kind: TaskRecord['kind'];
    origin: TaskRecord['origin'];
    /** When a relaunch backoff lets the task be placed (ISO-8601); null when it may be placed now. */
    eligible_at: string | null;
    spec: TaskSpec;
  };
}

/** Dynamic Cluster's switches that live beside the daemon (the daemon itself has no place for them). */
interface ClusterSwitches {
  /** Nodes DELETE asked the cluster to remove, by hostname, with the core time it was asked. */
  readonly deleting: Map<string, number>;
}

const switches = new WeakMap<Daemon, ClusterSwitches>();

function switchesOf(daemon: Daemon): ClusterSwitches {
  let s = switches.get(daemon);
  if (!s) {
    s = { deleting: new Map() };
    switches.set(daemon, s);
  }
  return s;
}

const ACTIONS = ['hold', 'unhold', 'vacate'] as const;
type Action = (typeof ACTIONS)[number];
const STATE_LIST = WORKER_NODE_STATE_NAMES.map((name, i) => `${i} ${name}`).join(', ');
const SECRET = /principal|secret|passw|token|credential|key/i;

/**
 * Dynamic Cluster's REST API (eResearch SA, `restapi.md`): worker nodes with their integer
 * states and hold/unhold/vacate/delete, the queue of jobs (offerlab's pending tasks), auto mode
 * and the effective configuration. Worker nodes are named by hostname.
 */
export function dynamicClusterRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    const tracker = nodeTracker(daemon);
    const dc = switchesOf(daemon);

    const view = (agent: AgentRecord) => workerNodeView(daemon, tracker, dc, agent);
    const lookup = (hostname: string): AgentRecord => {
      const agent = agentByHostname(daemon.state, hostname);
      if (!agent) throw notFound(`worker node ${hostname}`);
      return agent;
    };

    app.get('/workernode', async (req) => {
      const q = checkQuery(req.query, ['state']);
      let wanted: number | undefined;
      if (q.state !== undefined) {
        if (!/^[0-7]$/.test(q.state))
          throw badRequest(`state must be an integer from 0 to 7 (${STATE_LIST}), got "${q.state}"`);
        wanted = Number(q.state);
      }
      forgetRemoved(daemon.state, dc);
      const nodes = [...agentsInOrder(daemon.state).map(view), ...poolNodesWithoutAgent(daemon)];
      return wanted === undefined ? nodes : nodes.filter((n) => n.state === wanted);
    });

    app.get<{ Params: { hostname: string } }>('/workernode/:hostname', async (req) => {
      checkQuery(req.query, []);
      forgetRemoved(daemon.state, dc);
      return view(lookup(req.params.hostname));
    });

    app.put<{ Params: { hostname: string; action: string } }>(
      '/workernode/:hostname/:action',
      async (req) => {
        checkQuery(req.query, []);
        checkNoBody(req.body);
        forgetRemoved(daemon.state, dc);
        const { hostname, action } = req.params;
        const agent = lookup(hostname);
        if (!(ACTIONS as readonly string[]).includes(action))
          throw new ClientError(404, `action ${action} is not supported; use ${ACTIONS.join(', ')}`);
        switch (action as Action) {
          case 'hold':
            if (!agent.held) await daemon.change({ type: 'hold', hostname, held: true });
            break;
          case 'unhold':
            if (dc.deleting.has(hostname))
              throw badRequest(`worker node ${hostname} is being deleted; it cannot be unheld`);
            if (agent.held) await daemon.change({ type: 'hold', hostname, held: false });
            break;
          case 'vacate':
            await daemon.change({ type: 'vacate', hostname });
            break;
        }
        return { success: true };
      },
    );

    app.delete<{ Params: { hostname: string } }>('/workernode/:hostname', async (req) => {
      checkQuery(req.query, []);
      checkNoBody(req.body);
      forgetRemoved(daemon.state, dc);
      const { hostname } = req.params;
      // A pool's node: the pool destroys its machine (Dynamic Cluster's rule decides when).
      if (poolNode(daemon.state, hostname)) {
        const records = await daemon.change({ type: 'pool-destroy', hostname });
        const rejected = records.find((r) => r.type === 'pool-rejected');
        if (rejected?.type === 'pool-rejected') throw badRequest(`worker node ${rejected.message}`);
        return { success: true };
      }
      const agent = lookup(hostname);
      if (dc.deleting.has(hostname)) throw badRequest(`worker node ${hostname} is already being deleted`);
      if (daemon.cluster === undefined)
        throw badRequest(
          `offerlab cannot remove machines from a real Mesos cluster: stop the agent on ${hostname} ` +
            '(or drain it with Mesos maintenance) outside offerlab; holding it keeps new tasks off it meanwhile',
        );
      if (!agent.held)
        throw badRequest(
          `worker node ${hostname} is not held: hold it first (PUT /workernode/${hostname}/hold), ` +
            'then delete it once it has no tasks',
        );
      const tasks = agent.taskIds.size;
      if (tasks > 0)
        throw badRequest(
          `worker node ${hostname} still has ${tasks} task${tasks === 1 ? '' : 's'}: ` +
            `wait for ${tasks === 1 ? 'it' : 'them'} to end or vacate it (PUT /workernode/${hostname}/vacate)`,
        );
      if (!daemon.cluster.removeAgent(hostname)) throw notFound(`worker node ${hostname}`);
      // The hold stays: a machine that comes back under this name takes no tasks until unheld.
      dc.deleting.set(hostname, daemon.clock.now());
      return { success: true };
    });

    app.get('/server/queues', async (req) => {
      checkQuery(req.query, []);
      const queued = [...daemon.state.pending.values()].map((t) => queuedView(daemon, t));
      return { queues: [{ name: 'default', queued: queued.length }], queued };
    });

    app.get('/server/status', async (req) => {
      checkQuery(req.query, []);
      const fw = daemon.state.framework;
      return {
        auto_mode: daemon.state.autoScale,
        cluster: { mesos: fw.subscribed },
        scheduler: {
          ready: daemon.ready,
          paused: daemon.state.paused,
          framework_id: fw.id ?? null,
          ...(daemon.fatal !== undefined ? { fatal: daemon.fatal } : {}),
        },
      };
    });

    const setAuto = (on: boolean) => async (req: { query: unknown; body: unknown }) => {
      checkQuery(req.query, []);
      checkNoBody(req.body);
      await daemon.change({ type: 'auto-scale', enabled: on });
      return { success: true };
    };
    app.put('/server/auto', setAuto(true));
    app.delete('/server/auto', setAuto(false));

    app.get('/server/config', async (req) => {
      checkQuery(req.query, []);
      const scheduler = Object.fromEntries(
        Object.entries(daemon.state.config).filter(([k, v]) => v !== undefined && !SECRET.test(k)),
      );
      return {
        scheduler,
        mesos: { masters: daemon.masters.map(withoutUserinfo) },
        'dynamic-cluster': {
          auto_mode: daemon.state.autoScale,
          // Command templates may hold credentials: the pools' shapes only.
          resources: [...daemon.state.pools.values()].map((p) => ({
            name: p.config.name,
            min: p.config.min,
            max: p.config.max,
            resources: {
              cpus: p.config.template.cpus,
              mem: p.config.template.mem,
              disk: p.config.template.disk,
            },
            attributes: p.config.template.attributes,
            max_launch_time: p.config.maxLaunchTimeMs / 1000,
            max_idle_time: p.config.maxIdleTimeMs / 1000,
          })),
        },
      };
    });
  };
}

function workerNodeView(
  daemon: Daemon,
  tracker: NodeTracker,
  dc: ClusterSwitches,
  agent: AgentRecord,
): WorkerNodeView {
  const deletingSince = dc.deleting.get(agent.hostname);
  const pooled = poolNode(daemon.state, agent.hostname);
  const poolState = pooled !== undefined && pooled.phase !== 'up' ? pooled : undefined;
  const since = poolState?.since ?? deletingSince ?? tracker.stateSince(agent);
  const startMs = wallTime(daemon, since);
  const jobs = [...agent.taskIds].sort();
  return {
    hostname: agent.hostname,
    type: 'mesos',
    state: poolState
      ? poolNodeCode(daemon.state, poolState)
      : deletingSince !== undefined
        ? WorkerNodeState.Deleting
        : workerNodeState(agent),
    num_proc: agent.capacity.cpus,
    jobs: jobs.length > 0 ? jobs.join(',') : null,
    state_start_time: startMs / 1000,
    time_in_current_state: Math.max(0, (daemon.clock.now() - since) / daemon.speed / 1000),
    extra_attributes: {
      agent_id: agent.id,
      attributes: { ...agent.attributes },
      hold_reason: agent.held ? (agent.holdReason ?? null) : null,
      total: scalars(agent.capacity),
      scheduled: scalars(agent.used),
    },
    instance: null,
  };
}

/**
 * Pool nodes whose agent offerlab has not met (starting, failed before registering, being
 * destroyed): Dynamic Cluster lists them too, with their pool in the attributes.
 */
function poolNodesWithoutAgent(daemon: Daemon): WorkerNodeView[] {
  const out: WorkerNodeView[] = [];
  for (const pool of [...daemon.state.pools.values()].sort((a, b) =>
    a.config.name < b.config.name ? -1 : 1,
  )) {
    for (const node of pool.nodes.values()) {
      if (daemon.state.agentsByHostname.has(node.hostname)) continue;
      const t = pool.config.template;
      out.push({
        hostname: node.hostname,
        type: 'mesos',
        state: poolNodeCode(daemon.state, node),
        num_proc: t.cpus,
        jobs: null,
        state_start_time: wallTime(daemon, node.since) / 1000,
        time_in_current_state: Math.max(0, (daemon.clock.now() - node.since) / daemon.speed / 1000),
        extra_attributes: {
          agent_id: node.agentId ?? '',
          attributes: { ...t.attributes, pool: pool.config.name },
          hold_reason: null,
          total: { cpus: t.cpus, mem: t.mem, disk: t.disk },
          scheduled: { cpus: 0, mem: 0, disk: 0 },
        },
        instance: null,
      });
    }
  }
  return out;
}

function queuedView(daemon: Daemon, task: TaskRecord): QueuedView {
  const now = daemon.clock.now();
  return {
    jobid: task.id,
    name: task.specId,
    owner: daemon.state.config.user,
    state: 0,
    queue: 'default',
    account: null,
    property: task.spec.nodetype ?? null,
    priority: 0,
    requested_cores: task.need.cpus,
    cores_per_node: task.need.cpus,
    requested_mem: task.need.mem,
    requested_walltime: null,
    creation_time: String(Math.floor(wallTime(daemon, task.submittedAt) / 1000)),
    extra_attributes: {
      requested_disk: task.need.disk,
      kind: task.kind,
      origin: task.origin,
      eligible_at: task.notBefore > now ? isoTime(daemon, task.notBefore) : null,
      spec: task.spec,
    },
  };
}

/** Deleted nodes the cluster has removed are no longer "deleting". */
function forgetRemoved(state: SchedulerState, dc: ClusterSwitches): void {
  for (const hostname of dc.deleting.keys())
    if (!state.agentsByHostname.has(hostname)) dc.deleting.delete(hostname);
}

/** A master URL without any user name or password in it. */
function withoutUserinfo(master: string): string {
  try {
    const url = new URL(master);
    if (url.username === '' && url.password === '') return master;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return master.replace(/^([a-z]+:\/\/)?[^@/]*@/i, '$1');
  }
}
