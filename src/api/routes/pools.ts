import type { FastifyPluginAsync } from 'fastify';
import { type PoolNode, type PoolState, WorkerNodeCode } from '../../core/pools/types.ts';
import { poolNodeCode } from '../../core/scheduler/pools.ts';
import type { SchedulerRecord } from '../../core/scheduler/records.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { badRequest, ClientError, notFound } from '../errors.ts';
import { checkNoBody, checkQuery, isoTime } from '../node-views.ts';

/*
 * Elastic pools, Dynamic Cluster's resources:
 *
 *   GET /resource                         every pool
 *   GET /resource/<name>                  one pool, with its nodes
 *   PUT /resource/<name>?num=N            launch N more nodes now (400 beyond max)
 *   PUT /resource/<name>/freeze           min = max = current size: nothing starts or stops
 *   PUT /resource/<name>/restore          back to the configured min and max
 *   PUT /resource/<name>/drain            min = max = 0: hold every node, destroy each once empty
 *   PUT|DELETE /server/auto               auto mode on / off (in routes/dynamic-cluster.ts)
 */

const TAGS = ['pools'];
const ACTIONS = ['freeze', 'restore', 'drain'] as const;
const CODE_NAMES = Object.keys(WorkerNodeCode);

export interface PoolNodeView {
  hostname: string;
  /** Dynamic Cluster's worker-node state code, and its name. */
  state: number;
  state_name: string;
  agent_id: string | null;
  since: string | null;
  message: string | null;
}

export interface PoolView {
  name: string;
  mode: PoolState['mode'];
  min: number;
  max: number;
  current_num: number;
  auto_mode: boolean;
  configured: { min: number; max: number };
  resources: { cpus: number; mem: number; disk: number; ports: string };
  attributes: Record<string, string>;
  max_launch_time: number;
  max_idle_time: number;
  worker_nodes: PoolNodeView[];
}

function nodeView(daemon: Daemon, node: PoolNode): PoolNodeView {
  const state = poolNodeCode(daemon.state, node);
  return {
    hostname: node.hostname,
    state,
    state_name: CODE_NAMES[state] ?? 'Unknown',
    agent_id: node.agentId ?? null,
    since: isoTime(daemon, node.since),
    message: node.message ?? null,
  };
}

export function poolView(daemon: Daemon, pool: PoolState): PoolView {
  const c = pool.config;
  return {
    name: c.name,
    mode: pool.mode,
    min: pool.min,
    max: pool.max,
    current_num: pool.nodes.size,
    auto_mode: daemon.state.autoScale,
    configured: { min: c.min, max: c.max },
    resources: { cpus: c.template.cpus, mem: c.template.mem, disk: c.template.disk, ports: c.template.ports },
    attributes: { ...c.template.attributes },
    max_launch_time: c.maxLaunchTimeMs / 1000,
    max_idle_time: c.maxIdleTimeMs / 1000,
    worker_nodes: [...pool.nodes.values()].map((n) => nodeView(daemon, n)),
  };
}

/** The core refused (unknown pool, beyond max, frozen): a 400 with its message. */
function refused(records: readonly SchedulerRecord[]): void {
  const rejected = records.find((r) => r.type === 'pool-rejected');
  if (rejected?.type === 'pool-rejected') throw badRequest(rejected.message);
}

export function poolsRoutes(daemon: Daemon): FastifyPluginAsync {
  return async (app) => {
    const lookup = (name: string): PoolState => {
      const pool = daemon.state.pools.get(name);
      if (!pool) throw notFound(`pool ${name}`);
      return pool;
    };

    app.get('/resource', { schema: { summary: 'Every elastic pool', tags: TAGS } }, async (req) => {
      checkQuery(req.query, []);
      return [...daemon.state.pools.keys()].sort().map((name) => poolView(daemon, lookup(name)));
    });

    app.get<{ Params: { name: string } }>(
      '/resource/:name',
      { schema: { summary: 'One elastic pool and its nodes', tags: TAGS } },
      async (req) => {
        checkQuery(req.query, []);
        return poolView(daemon, lookup(req.params.name));
      },
    );

    app.put<{ Params: { name: string } }>(
      '/resource/:name',
      { schema: { summary: 'Launch nodes in a pool now (?num=N, within its max)', tags: TAGS } },
      async (req) => {
        const q = checkQuery(req.query, ['num']);
        checkNoBody(req.body);
        const pool = lookup(req.params.name);
        if (q.num === undefined)
          throw badRequest('num is required: PUT /resource/<name>?num=N launches N nodes');
        if (!/^[1-9]\d{0,5}$/.test(q.num))
          throw badRequest(`num must be a whole number, 1 or more, got "${q.num}"`);
        const num = Number(q.num);
        // The core checks the bounds (and a frozen pool) and says what is wrong.
        const records = await daemon.change({ type: 'pool-launch', pool: pool.config.name, count: num });
        refused(records);
        const nodes = records.flatMap((r) =>
          r.type === 'pool-node' && r.state === 'starting' ? [r.hostname] : [],
        );
        return { success: true, launched: nodes, resource: poolView(daemon, pool) };
      },
    );

    app.put<{ Params: { name: string; action: string } }>(
      '/resource/:name/:action',
      { schema: { summary: 'Freeze, restore or drain a pool', tags: TAGS } },
      async (req) => {
        checkQuery(req.query, []);
        checkNoBody(req.body);
        const pool = lookup(req.params.name);
        const action = req.params.action;
        if (!(ACTIONS as readonly string[]).includes(action))
          throw new ClientError(404, `action ${action} is not supported; use ${ACTIONS.join(', ')}`);
        refused(
          await daemon.change({
            type: 'pool-mode',
            pool: pool.config.name,
            action: action as (typeof ACTIONS)[number],
          }),
        );
        return { success: true, resource: poolView(daemon, pool) };
      },
    );
  };
}
