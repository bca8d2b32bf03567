import type { OfferOperation } from '../mesos/v1.ts';
import { reserveInPlace } from '../model/resources.ts';
import { selectAgent } from '../placement/pipeline.ts';
import { noteRoom } from './agents.ts';
import type { Out } from './commands.ts';
import { placementContext } from './context.ts';
import { rangesToPairs } from './records.ts';
import type { AgentRecord, SchedulerState, TaskRecord } from './state.ts';
import { buildTaskInfo, rolesOf } from './task-info.ts';
import { attachToAgent } from './tasks.ts';

/**
 * One placement cycle: every pending task — pinned copies first, then the rest in submission
 * order — goes through the pipeline against the offers held right now; what fits is reserved,
 * then one ACCEPT per agent launches its tasks and consumes all of that agent's held offers (the
 * leftover comes back in a new offer).
 *
 * Tasks of one equivalence class (same request, no constraints) that failed once are not tried
 * again in the same cycle: resources only shrink within a cycle, so they would fail too. Once the
 * held offers are used up the cycle stops: a long queue costs nothing while offers trickle in.
 */
export function runPlacement(state: SchedulerState, now: number, out: Out): void {
  if (state.pending.size === 0 || !state.framework.subscribed || state.paused) return;
  if (state.offers.size === 0) {
    if (couldFitWithoutOffer(state, now)) state.framework.reviveWanted = true;
    return;
  }
  const ctx = placementContext(state, now);
  const failedClasses = new Set<string>();
  const byAgent = new Map<string, TaskRecord[]>();
  const place = (task: TaskRecord): void => {
    if (task.notBefore > now) return;
    if (task.classKey !== undefined && failedClasses.has(task.classKey)) return;
    const chosen = selectAgent(ctx, task, state.index, state.pipeline);
    if (!chosen) {
      if (task.classKey !== undefined) failedClasses.add(task.classKey);
      return;
    }
    const agent = state.agents.get(chosen.id) as AgentRecord;
    reserveInPlace(agent.free, task.need);
    state.index.update(agent.id);
    state.pending.delete(task.id);
    state.pendingPinned.delete(task.id);
    task.phase = 'launching';
    task.agentId = agent.id;
    task.hostname = agent.hostname;
    task.launchedAt = now;
    attachToAgent(state, task, agent.id);
    const list = byAgent.get(agent.id);
    if (list) list.push(task);
    else byAgent.set(agent.id, [task]);
  };
  // Pinned copies first (they can go to one agent only), then the queue in submission order.
  for (const id of state.pendingPinned) {
    if (!state.index.hasRoom()) break;
    const task = state.pending.get(id);
    if (task) place(task);
  }
  for (const task of state.pending.values()) {
    if (!state.index.hasRoom()) break;
    if (task.pinnedAgentId === undefined) place(task);
  }
  for (const [agentId, tasks] of byAgent) {
    launchOnAgent(state, state.agents.get(agentId) as AgentRecord, tasks, out);
  }
  if (couldFitWithoutOffer(state, now)) state.framework.reviveWanted = true;
}

/**
 * True when a queued task that is due could fit on an agent offerlab holds no offer for (by what
 * that agent had free at the last look): its offer was declined, so a REVIVE would bring it back.
 */
function couldFitWithoutOffer(state: SchedulerState, now: number): boolean {
  if (state.roomWithoutOffer.size === 0) return false;
  let cpus = Number.POSITIVE_INFINITY;
  let mem = Number.POSITIVE_INFINITY;
  for (const task of state.pending.values()) {
    if (task.notBefore > now) continue;
    cpus = Math.min(cpus, task.need.cpus);
    mem = Math.min(mem, task.need.mem);
  }
  if (!Number.isFinite(cpus)) return false;
  for (const id of state.roomWithoutOffer) {
    const agent = state.agents.get(id) as AgentRecord;
    if (agent.lastFree.cpus >= cpus && agent.lastFree.mem >= mem) return true;
  }
  return false;
}

function launchOnAgent(state: SchedulerState, agent: AgentRecord, tasks: TaskRecord[], out: Out): void {
  const frameworkId = state.framework.id as string;
  const firstOffer = state.offers.get(agent.offerIds[0] as string);
  const roles = rolesOf(firstOffer?.template ?? []);
  const operation: OfferOperation = {
    type: 'LAUNCH',
    launch: { task_infos: tasks.map((t) => buildTaskInfo(t, agent.id, roles)) },
  };
  const offerIds = agent.offerIds.map((value) => ({ value }));
  for (const id of agent.offerIds) state.offers.delete(id);
  agent.lastFree = agent.free;
  agent.offerIds = [];
  agent.offerCount = 0;
  agent.free = { cpus: 0, mem: 0, disk: 0, ports: [] };
  noteRoom(state, agent);
  state.index.update(agent.id);
  for (const t of tasks) {
    state.counters.launches++;
    out.record({
      type: 'task-launched',
      task: t.id,
      agent: agent.id,
      hostname: agent.hostname,
      resources: {
        cpus: t.need.cpus,
        mem: t.need.mem,
        ...(t.need.disk > 0 ? { disk: t.need.disk } : {}),
        ...(t.need.ports.length > 0 ? { ports: rangesToPairs(t.need.ports) } : {}),
      },
    });
  }
  out.send({
    framework_id: { value: frameworkId },
    type: 'ACCEPT',
    accept: { offer_ids: offerIds, operations: [operation], filters: { refuse_seconds: 0 } },
  });
}
