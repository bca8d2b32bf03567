import { parseRanges } from '../model/resources.ts';
import { type Bin, type GrowablePool, planGrowth, type QueuedTask } from '../pools/demand.ts';
import { type PoolNode, type PoolState, WorkerNodeCode, type WorkerNodeCodeValue } from '../pools/types.ts';
import type { Out } from './commands.ts';
import { applyHold } from './holds.ts';
import type { AgentRecord, SchedulerState } from './state.ts';
import { setTimer } from './timers.ts';

// Elastic pools, Dynamic Cluster's engine on Mesos agents: every `poolCheckMs` the pools are
// checked — nodes whose agent registered are up, nodes that never came are errors and destroyed,
// in auto mode the floor (`min`) is kept, queued tasks no agent can take grow the pool (packed into
// the fewest new nodes, never past `max`), and nodes idle longer than `max_idle_time` are held and
// destroyed (never a busy one, never below `min`). Frozen pools are left alone; a drained one holds
// every node and destroys each once it is empty.

const POOL_HOLD = 'pool ';

function sortedPools(state: SchedulerState): PoolState[] {
  return [...state.pools.values()].sort((a, b) => (a.config.name < b.config.name ? -1 : 1));
}

function agentOf(state: SchedulerState, node: PoolNode): AgentRecord | undefined {
  const id = state.agentsByHostname.get(node.hostname);
  return id === undefined ? undefined : state.agents.get(id);
}

/** Nodes that count against `min` when shrinking: everything not on its way out. */
function keptNodes(pool: PoolState): number {
  let n = 0;
  for (const node of pool.nodes.values()) if (node.phase !== 'deleting' && node.phase !== 'error') n++;
  return n;
}

/** Dynamic Cluster's worker-node code for a pool node. */
export function poolNodeCode(state: SchedulerState, node: PoolNode): WorkerNodeCodeValue {
  switch (node.phase) {
    case 'starting':
    case 'booted':
      return WorkerNodeCode.Starting;
    case 'error':
      return WorkerNodeCode.Error;
    case 'deleting':
      return WorkerNodeCode.Deleting;
    case 'up': {
      const agent = agentOf(state, node);
      return agent ? agentWorkerCode(agent) : WorkerNodeCode.Idle;
    }
  }
}

/** A known agent's worker-node code: held with tasks → Holding, held → Held, tasks → Busy, else Idle. */
export function agentWorkerCode(agent: AgentRecord): WorkerNodeCodeValue {
  const busy = agent.taskIds.size > 0;
  if (agent.held) return busy ? WorkerNodeCode.Holding : WorkerNodeCode.Held;
  return busy ? WorkerNodeCode.Busy : WorkerNodeCode.Idle;
}

/** The pool node with this hostname, if any. */
export function poolNode(state: SchedulerState, hostname: string): PoolNode | undefined {
  for (const pool of state.pools.values()) {
    const node = pool.nodes.get(hostname);
    if (node) return node;
  }
  return undefined;
}

/** Nodes are on their way up: the framework must keep taking offers to meet their agents. */
export function poolsExpectAgents(state: SchedulerState): boolean {
  for (const pool of state.pools.values())
    for (const node of pool.nodes.values())
      if (node.phase === 'starting' || node.phase === 'booted') return true;
  return false;
}

function provision(state: SchedulerState, pool: PoolState, now: number, out: Out): string {
  const hostname = `${pool.config.name}-${pool.nextIndex++}`;
  pool.nodes.set(hostname, {
    hostname,
    pool: pool.config.name,
    phase: 'starting',
    requestedAt: now,
    since: now,
    destroyFailures: 0,
  });
  // Its agent is met through offers: a suppressed framework revives to get them.
  if (state.framework.suppressed) state.framework.reviveWanted = true;
  out.record({ type: 'pool-node', pool: pool.config.name, hostname, state: 'starting' });
  out.push({ type: 'provision', pool: pool.config.name, hostname, template: pool.config.template });
  return hostname;
}

function destroy(
  state: SchedulerState,
  pool: PoolState,
  node: PoolNode,
  reason: string,
  now: number,
  out: Out,
) {
  const agent = agentOf(state, node);
  holdForPool(state, pool, node, reason, out);
  if (agent && agent.taskIds.size > 0) {
    // Never a node with a task: its agent registered (and took work) before the pool knew. It is
    // up, held, and goes once empty (`sweep`).
    delete node.destroyWhenBooted;
    if (node.phase !== 'up') markUp(pool, node, agent, now, out);
    return;
  }
  node.phase = 'deleting';
  node.since = now;
  delete node.destroyWhenBooted;
  delete node.idleSince;
  out.record({
    type: 'pool-node',
    pool: pool.config.name,
    hostname: node.hostname,
    state: 'deleting',
    ...(agent ? { agent: agent.id } : {}),
    reason,
  });
  out.push({
    type: 'destroy',
    pool: pool.config.name,
    hostname: node.hostname,
    template: pool.config.template,
    ...(agent ? { agentId: agent.id } : node.agentId !== undefined ? { agentId: node.agentId } : {}),
  });
}

/** Holds a node's agent (by hostname: it may not have registered yet) on the pool's behalf. */
function holdForPool(state: SchedulerState, pool: PoolState, node: PoolNode, reason: string, out: Out): void {
  if (state.holds.has(node.hostname)) return;
  applyHold(state, node.hostname, true, `${POOL_HOLD}${pool.config.name}: ${reason}`, out);
  node.poolHold = true;
}

function markUp(pool: PoolState, node: PoolNode, agent: AgentRecord, now: number, out: Out): void {
  node.phase = 'up';
  node.since = now;
  node.agentId = agent.id;
  delete node.missingSince;
  out.record({
    type: 'pool-node',
    pool: pool.config.name,
    hostname: node.hostname,
    state: 'ready',
    agent: agent.id,
  });
}

function fail(pool: PoolState, node: PoolNode, message: string, now: number, out: Out): void {
  node.phase = 'error';
  node.since = now;
  node.message = message;
  out.record({
    type: 'pool-node',
    pool: pool.config.name,
    hostname: node.hostname,
    state: 'error',
    reason: message,
  });
}

/** Follows nodes to their agents: up when registered, an error when it never came or went away. */
function refreshNodes(state: SchedulerState, pool: PoolState, now: number, out: Out): void {
  for (const node of pool.nodes.values()) {
    const agent = agentOf(state, node);
    if (node.phase === 'starting' || node.phase === 'booted') {
      if (agent) {
        markUp(pool, node, agent, now, out);
      } else if (now - node.requestedAt > pool.config.maxLaunchTimeMs) {
        const booting = node.phase === 'starting';
        fail(
          pool,
          node,
          `agent not registered ${Math.round((now - node.requestedAt) / 1000)} s after the request`,
          now,
          out,
        );
        if (booting) node.destroyWhenBooted = true;
      }
    }
    if (node.phase === 'up') {
      if (!agent) {
        // Gone: removed by Mesos, or not seen since a restart for as long as a launch may take.
        node.missingSince ??= now;
        if (node.agentId !== undefined && state.removedAgents.has(node.agentId))
          fail(pool, node, 'its agent was removed by Mesos', now, out);
        else if (now - node.missingSince > pool.config.maxLaunchTimeMs)
          fail(
            pool,
            node,
            `its agent has not been seen for ${Math.round((now - node.missingSince) / 1000)} s`,
            now,
            out,
          );
        continue;
      }
      delete node.missingSince;
      // An operator released the pool's hold: the node is the pool's to keep again.
      if (node.poolHold && !agent.held) delete node.poolHold;
      if (!agent.held && agent.taskIds.size === 0) node.idleSince ??= now;
      else delete node.idleSince;
    }
  }
}

/** Destroys what should go whatever the mode says: errors (bounded retries) and empty nodes the pool held. */
function sweep(state: SchedulerState, pool: PoolState, now: number, out: Out): void {
  for (const node of [...pool.nodes.values()]) {
    if (node.phase === 'error') {
      if (!node.destroyWhenBooted && node.destroyFailures < state.config.poolDestroyAttempts)
        destroy(state, pool, node, node.message ?? 'error', now, out);
    } else if (node.phase === 'up') {
      const agent = agentOf(state, node);
      if (node.poolHold && agent?.held && agent.taskIds.size === 0)
        destroy(state, pool, node, 'held and empty', now, out);
    }
  }
}

function drainStep(state: SchedulerState, pool: PoolState, now: number, out: Out): void {
  for (const node of [...pool.nodes.values()]) {
    if (node.phase === 'starting') node.destroyWhenBooted = true;
    else if (node.phase === 'booted' || node.phase === 'up') {
      // A booted node's agent may have registered, and taken tasks, since the last pool check.
      const agent = agentOf(state, node);
      if (!agent || agent.taskIds.size === 0) destroy(state, pool, node, 'pool drained', now, out);
      else holdForPool(state, pool, node, 'drain', out);
    }
  }
}

function keepFloor(state: SchedulerState, pool: PoolState, now: number, out: Out): void {
  const missing = pool.min - pool.nodes.size;
  if (missing <= 0) return;
  const nodes: string[] = [];
  for (let i = 0; i < missing; i++) nodes.push(provision(state, pool, now, out));
  out.record({
    type: 'pool-scale',
    pool: pool.config.name,
    direction: 'up',
    nodes,
    reason: `below its minimum of ${pool.min}`,
  });
}

function scaleDown(state: SchedulerState, pool: PoolState, now: number, out: Out): void {
  const idle = [...pool.nodes.values()]
    .filter(
      (n) => n.phase === 'up' && n.idleSince !== undefined && now - n.idleSince >= pool.config.maxIdleTimeMs,
    )
    .sort((a, b) => (a.idleSince ?? 0) - (b.idleSince ?? 0) || (a.hostname < b.hostname ? -1 : 1));
  let kept = keptNodes(pool);
  const nodes: string[] = [];
  for (const node of idle) {
    if (kept <= pool.min) break;
    const agent = agentOf(state, node);
    if (!agent || agent.taskIds.size > 0 || agent.held) continue;
    destroy(state, pool, node, `idle for ${Math.round((now - (node.idleSince ?? now)) / 1000)} s`, now, out);
    nodes.push(node.hostname);
    kept--;
  }
  if (nodes.length > 0)
    out.record({
      type: 'pool-scale',
      pool: pool.config.name,
      direction: 'down',
      nodes,
      reason: `idle longer than ${Math.round(pool.config.maxIdleTimeMs / 1000)} s`,
    });
}

/** Grows pools for queued tasks that fit on no agent and no node on its way. */
function scaleUp(state: SchedulerState, now: number, out: Out): void {
  const pools = sortedPools(state).filter((p) => p.mode === 'normal' && p.max - p.nodes.size > 0);
  if (pools.length === 0 || state.pending.size === 0) return;
  const queue: QueuedTask[] = [];
  for (const task of state.pending.values()) {
    if (task.pinnedAgentId !== undefined) continue;
    queue.push({
      id: task.id,
      need: { cpus: task.need.cpus, mem: task.need.mem, disk: task.need.disk },
      ...(task.need.ports.length > 0 ? { ports: task.need.ports } : {}),
      ...(task.spec.nodetype !== undefined ? { nodetype: task.spec.nodetype } : {}),
      ...(task.spec.nodename !== undefined ? { nodename: task.spec.nodename } : {}),
    });
  }
  if (queue.length === 0) return;
  const bins: Bin[] = [];
  for (const agent of state.agents.values()) {
    if (agent.held) continue;
    bins.push({
      hostname: agent.hostname,
      attributes: agent.attributes,
      free: {
        cpus: agent.capacity.cpus - agent.used.cpus,
        mem: agent.capacity.mem - agent.used.mem,
        disk: agent.capacity.disk - agent.used.disk,
      },
    });
  }
  for (const pool of state.pools.values()) {
    const t = pool.config.template;
    for (const node of pool.nodes.values()) {
      if (node.phase !== 'starting' && node.phase !== 'booted') continue;
      if (node.destroyWhenBooted) continue;
      bins.push({
        hostname: node.hostname,
        attributes: t.attributes,
        free: { cpus: t.cpus, mem: t.mem, disk: t.disk },
      });
    }
  }
  const growable: GrowablePool[] = pools.map((p) => ({
    name: p.config.name,
    node: { cpus: p.config.template.cpus, mem: p.config.template.mem, disk: p.config.template.disk },
    attributes: p.config.template.attributes,
    ports: parseRanges(p.config.template.ports) ?? [],
    room: p.max - p.nodes.size,
  }));
  const plan = planGrowth(queue, bins, growable);
  const tasks = (n: number) => `${n} queued task${n === 1 ? '' : 's'}`;
  for (const g of plan.growth) {
    const pool = state.pools.get(g.pool);
    if (!pool) continue;
    const nodes: string[] = [];
    for (let i = 0; i < g.nodes; i++) nodes.push(provision(state, pool, now, out));
    const capped = pool.nodes.size >= pool.max ? `; at its max of ${pool.max}` : '';
    out.record({
      type: 'pool-scale',
      pool: g.pool,
      direction: 'up',
      nodes,
      reason: `${tasks(plan.unmet)} fit on no agent; ${g.nodes} new node${g.nodes === 1 ? '' : 's'} take ${g.tasks.length} (cpus ${g.need.cpus}, mem ${g.need.mem} MB)${capped}`,
    });
  }
}

/** Holds the pool placed on hostnames that are no longer its nodes nor known agents are dropped. */
function dropStaleHolds(state: SchedulerState, out: Out): void {
  for (const pool of state.pools.values()) {
    for (const hostname of [...pool.releaseHolds]) {
      if (state.agentsByHostname.has(hostname)) continue;
      pool.releaseHolds.delete(hostname);
      if (state.holds.has(hostname) && !pool.nodes.has(hostname))
        applyHold(state, hostname, false, undefined, out);
    }
  }
}

/** One pool check (the `pools` timer). Nothing is decided while not subscribed: agents may be stale. */
export function checkPools(state: SchedulerState, now: number, out: Out): void {
  state.poolsCheckedAt = now;
  if (!state.framework.subscribed) return;
  for (const pool of sortedPools(state)) {
    refreshNodes(state, pool, now, out);
    if (pool.mode === 'frozen') continue;
    sweep(state, pool, now, out);
    if (pool.mode === 'draining') drainStep(state, pool, now, out);
    else if (state.autoScale) {
      keepFloor(state, pool, now, out);
      scaleDown(state, pool, now, out);
    }
  }
  if (state.autoScale && !state.paused) scaleUp(state, now, out);
  dropStaleHolds(state, out);
}

/** Arms the `pools` timer: first at once, then every `poolCheckMs`. */
export function armPoolTimer(state: SchedulerState, now: number, out: Out): void {
  if (state.pools.size === 0 || state.timers.has('pools')) return;
  const at = state.poolsCheckedAt === undefined ? now : state.poolsCheckedAt + state.config.poolCheckMs;
  setTimer(state, 'pools', Math.max(now, at), out);
}

function unknownPool(state: SchedulerState, name: string): string {
  return `no pool named "${name}" (pools: ${[...state.pools.keys()].sort().join(', ') || 'none'})`;
}

function reject(pool: string, message: string, out: Out): void {
  out.record({ type: 'pool-rejected', pool, message });
}

function recordPool(pool: PoolState, out: Out): void {
  out.record({
    type: 'pool',
    pool: pool.config.name,
    mode: pool.mode,
    min: pool.min,
    max: pool.max,
    size: pool.nodes.size,
  });
}

/** `PUT /resource/<name>?num=N`: N more nodes now, refused beyond the pool's max. */
export function poolLaunch(state: SchedulerState, name: string, count: number, now: number, out: Out): void {
  const pool = state.pools.get(name);
  const problem = !pool
    ? unknownPool(state, name)
    : !Number.isInteger(count) || count < 1
      ? `num must be a whole number, 1 or more, got ${count}`
      : pool.mode !== 'normal'
        ? `pool ${name} is ${pool.mode === 'frozen' ? 'frozen' : 'draining'}; restore it first`
        : pool.nodes.size + count > pool.max
          ? `cannot launch ${count}: pool ${name} has ${pool.nodes.size} of at most ${pool.max} nodes`
          : undefined;
  if (!pool || problem !== undefined) {
    reject(name, problem ?? unknownPool(state, name), out);
    return;
  }
  const nodes: string[] = [];
  for (let i = 0; i < count; i++) nodes.push(provision(state, pool, now, out));
  out.record({ type: 'pool-scale', pool: name, direction: 'up', nodes, reason: 'requested' });
}

/** freeze, restore or drain a pool. */
export function setPoolMode(
  state: SchedulerState,
  name: string,
  action: 'freeze' | 'restore' | 'drain',
  now: number,
  out: Out,
): void {
  const pool = state.pools.get(name);
  if (!pool) {
    reject(name, unknownPool(state, name), out);
    return;
  }
  if (action === 'freeze') {
    pool.mode = 'frozen';
    pool.min = pool.nodes.size;
    pool.max = pool.nodes.size;
  } else if (action === 'restore') {
    pool.mode = 'normal';
    pool.min = pool.config.min;
    pool.max = pool.config.max;
    for (const node of pool.nodes.values()) {
      if (node.phase === 'up' && node.poolHold && state.holds.has(node.hostname)) {
        applyHold(state, node.hostname, false, undefined, out);
        delete node.poolHold;
      }
    }
  } else {
    pool.mode = 'draining';
    pool.min = 0;
    pool.max = 0;
  }
  // A drain's verdict on nodes still booting ends with the drain (a node in error keeps its own).
  if (action !== 'drain')
    for (const node of pool.nodes.values()) if (node.phase === 'starting') delete node.destroyWhenBooted;
  recordPool(pool, out);
  if (action === 'drain' && state.framework.subscribed) drainStep(state, pool, now, out);
}

/** An operator destroys a node: held with no task, on its way up, or in error. */
export function destroyPoolNode(state: SchedulerState, hostname: string, now: number, out: Out): void {
  const node = poolNode(state, hostname);
  const pool = node === undefined ? undefined : state.pools.get(node.pool);
  if (!node || !pool) {
    reject('', `${hostname} is not a node of any pool`, out);
    return;
  }
  const agent = agentOf(state, node);
  if (node.phase === 'deleting') {
    reject(pool.config.name, `${hostname} is already being destroyed`, out);
  } else if (node.phase === 'starting') {
    node.destroyWhenBooted = true;
  } else if (node.phase === 'booted' || node.phase === 'error') {
    destroy(state, pool, node, 'deleted by an operator', now, out);
  } else if (!agent?.held) {
    reject(
      pool.config.name,
      `${hostname} is not held: hold it first (PUT /workernode/${hostname}/hold)`,
      out,
    );
  } else if (agent.taskIds.size > 0) {
    const n = agent.taskIds.size;
    reject(
      pool.config.name,
      `${hostname} still has ${n} task${n === 1 ? '' : 's'}: wait for ${n === 1 ? 'it' : 'them'} to end or vacate it (PUT /workernode/${hostname}/vacate)`,
      out,
    );
  } else {
    destroy(state, pool, node, 'deleted by an operator', now, out);
  }
}

export function setAutoScale(state: SchedulerState, enabled: boolean, out: Out): void {
  if (state.autoScale === enabled) return;
  state.autoScale = enabled;
  out.record({ type: 'auto-scale', enabled });
}

/** A provisioner answered. */
export function poolResult(
  state: SchedulerState,
  action: 'provision' | 'destroy',
  hostname: string,
  ok: boolean,
  message: string | undefined,
  now: number,
  out: Out,
): void {
  const node = poolNode(state, hostname);
  const pool = node === undefined ? undefined : state.pools.get(node.pool);
  if (!node || !pool) return;
  const name = pool.config.name;
  if (action === 'provision') {
    if (node.phase !== 'starting' && !(node.phase === 'error' && node.destroyWhenBooted)) return;
    const retiring = node.destroyWhenBooted === true;
    if (!ok) {
      if (node.phase === 'starting') fail(pool, node, message ?? 'provisioning failed', now, out);
      delete node.destroyWhenBooted;
      // A frozen pool changes nothing: the error waits for a restore (then the sweep destroys it).
      if (pool.mode !== 'frozen') destroy(state, pool, node, node.message ?? 'provisioning failed', now, out);
      return;
    }
    if (retiring && pool.mode === 'frozen') {
      delete node.destroyWhenBooted;
      return;
    }
    if (retiring || pool.mode === 'draining') {
      destroy(state, pool, node, node.message ?? 'pool drained', now, out);
      return;
    }
    node.phase = 'booted';
    node.since = now;
    out.record({ type: 'pool-node', pool: name, hostname, state: 'booted' });
    return;
  }
  if (node.phase !== 'deleting') return;
  if (ok) {
    pool.nodes.delete(hostname);
    out.record({ type: 'pool-node', pool: name, hostname, state: 'gone' });
    // The pool's hold goes with the machine, once Mesos has let go of its agent too.
    if (node.poolHold) {
      if (!state.agentsByHostname.has(hostname) && state.holds.has(hostname))
        applyHold(state, hostname, false, undefined, out);
      else pool.releaseHolds.add(hostname);
    }
    return;
  }
  node.destroyFailures++;
  fail(
    pool,
    node,
    node.destroyFailures >= state.config.poolDestroyAttempts
      ? `destroy failed ${node.destroyFailures} times (${message ?? 'unknown error'}); remove the machine by hand, then DELETE /workernode/${hostname}`
      : `destroy failed: ${message ?? 'unknown error'}`,
    now,
    out,
  );
}
