import { sizeSpec } from '../intelligence/sizing.ts';
import type { Label, TaskState, TaskStatusReason } from '../mesos/v1.ts';
import { portsToRanges, type Resources, round3 } from '../model/resources.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { Out } from './commands.ts';
import type { SchedulerState, TaskKind, TaskOrigin, TaskRecord } from './state.ts';

/** Width of the numeric suffix of task ids; full ids are never a prefix of one another below 10^6 tasks. */
export const SUFFIX_DIGITS = 6;

/** The next unique task id for a spec: `<id>-<zero-padded sequence>`. */
export function nextTaskId(state: SchedulerState, specId: string): { id: string; seq: number } {
  const seq = state.nextSeq++;
  return { id: `${specId}-${String(seq).padStart(SUFFIX_DIGITS, '0')}`, seq };
}

/** The resources a spec asks for; requested host ports become single-port ranges. */
export function specNeed(spec: TaskSpec): Resources {
  return {
    cpus: round3(spec.cpus),
    mem: round3(spec.mem),
    disk: round3(spec.disk ?? 0),
    ports: portsToRanges((spec.ports ?? []).map((p) => p.host_port)),
  };
}

export function classKeyOf(spec: TaskSpec, need: Resources): string | undefined {
  if (spec.sla !== undefined) return undefined;
  const ports = need.ports.map((r) => `${r.begin}-${r.end}`).join(',');
  return `${need.cpus}|${need.mem}|${need.disk}|${ports}|${spec.nodetype ?? ''}|${spec.nodename ?? ''}`;
}

export interface NewTask {
  /**
   * The lineage's spec, unsized: what the user submitted (with the SLA override that started the
   * lineage, if any). `createTask` right-sizes it when sizing is on.
   */
  spec: TaskSpec;
  /** The spec as the user submitted it, when it differs from `spec` (an SLA override). */
  requested?: TaskSpec;
  kind: TaskKind;
  labels: readonly Label[];
  origin: TaskOrigin;
  previous?: string;
  pinnedAgentId?: string;
  notBefore: number;
  failures: number;
}

/**
 * Creates a pending task, queues it and records `task-submitted`. Every task offerlab creates
 * comes through here, so this is where sizing applies (Charmander's `OverwriteTaskAttributes`).
 */
export function createTask(state: SchedulerState, params: NewTask, now: number, out: Out): TaskRecord {
  const { id, seq } = nextTaskId(state, params.spec.id);
  const requested = params.requested ?? params.spec;
  const spec = sizeSpec(state.intelligence.get(params.spec.id), params.spec, state.config.sizing);
  const need = specNeed(spec);
  const classKey = classKeyOf(spec, need);
  const task: TaskRecord = {
    id,
    specId: spec.id,
    spec,
    requested,
    need,
    kind: params.kind,
    labels: params.labels,
    seq,
    origin: params.origin,
    notBefore: params.notBefore,
    phase: 'pending',
    submittedAt: now,
    failures: params.failures,
    ...(params.previous !== undefined ? { previous: params.previous } : {}),
    ...(params.pinnedAgentId !== undefined ? { pinnedAgentId: params.pinnedAgentId } : {}),
    ...(classKey !== undefined ? { classKey } : {}),
  };
  state.tasks.set(id, task);
  state.pending.set(id, task);
  state.placementDirty = true;
  if (task.notBefore > now) state.backingOff.add(id);
  state.framework.lastWorkAt = now;
  if (state.framework.suppressed || state.framework.declinedIdle) state.framework.reviveWanted = true;
  out.record({
    type: 'task-submitted',
    task: id,
    spec,
    ...(requested !== spec ? { requested } : {}),
    kind: params.kind,
    origin: params.origin,
    eligibleAt: Math.max(now, params.notBefore),
    ...(params.previous !== undefined ? { previous: params.previous } : {}),
    ...(params.pinnedAgentId !== undefined ? { agent: params.pinnedAgentId } : {}),
  });
  return task;
}

/** Adds a launched task to its agent's and spec's bookkeeping. */
export function attachToAgent(state: SchedulerState, task: TaskRecord, agentId: string): void {
  const agent = state.agents.get(agentId);
  if (agent && !agent.taskIds.has(task.id)) {
    agent.taskIds.add(task.id);
    agent.used = {
      cpus: round3(agent.used.cpus + task.need.cpus),
      mem: round3(agent.used.mem + task.need.mem),
      disk: round3(agent.used.disk + task.need.disk),
    };
  }
  let live = state.liveBySpec.get(task.specId);
  if (!live) {
    live = new Set();
    state.liveBySpec.set(task.specId, live);
  }
  live.add(task.id);
}

function detachFromAgent(state: SchedulerState, task: TaskRecord): void {
  const agent = task.agentId === undefined ? undefined : state.agents.get(task.agentId);
  if (agent?.taskIds.delete(task.id)) {
    agent.used = {
      cpus: Math.max(0, round3(agent.used.cpus - task.need.cpus)),
      mem: Math.max(0, round3(agent.used.mem - task.need.mem)),
      disk: Math.max(0, round3(agent.used.disk - task.need.disk)),
    };
  }
  const live = state.liveBySpec.get(task.specId);
  if (live) {
    live.delete(task.id);
    if (live.size === 0) state.liveBySpec.delete(task.specId);
  }
}

/**
 * Moves a task to `done`: releases its bookkeeping, removes it from the queue and keeps it in the
 * bounded history. Does not decide about relaunching.
 */
export function endTask(
  state: SchedulerState,
  task: TaskRecord,
  mesosState: TaskState,
  reason: TaskStatusReason | undefined,
  now: number,
): void {
  if (task.phase === 'done') return;
  detachFromAgent(state, task);
  state.pending.delete(task.id);
  state.backingOff.delete(task.id);
  if (task.spec.sla !== undefined) state.placementDirty = true;
  task.phase = 'done';
  task.state = mesosState;
  if (reason !== undefined) task.reason = reason;
  else delete task.reason;
  task.endedAt = now;
  state.history.push(task.id);
  while (state.history.length > state.config.historyLimit) {
    const old = state.history.shift();
    if (old !== undefined) state.tasks.delete(old);
  }
}

/** Tasks in submission order. */
export function tasksInOrder(state: SchedulerState): TaskRecord[] {
  return [...state.tasks.values()].sort((a, b) => a.seq - b.seq);
}
