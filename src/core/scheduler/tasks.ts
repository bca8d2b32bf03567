import { sizeSpec } from '../intelligence/sizing.ts';
import type { Label, TaskState, TaskStatusReason } from '../mesos/v1.ts';
import { portsToRanges, type Resources, round3 } from '../model/resources.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { Out } from './commands.ts';
import type { AgentRecord, SchedulerState, TaskKind, TaskOrigin, TaskRecord } from './state.ts';

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
  /** The ETL job the task is a copy of. */
  job?: string;
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
    ...(params.job !== undefined ? { job: params.job } : {}),
    ...(classKey !== undefined ? { classKey } : {}),
  };
  state.tasks.set(id, task);
  state.pending.set(id, task);
  if (task.pinnedAgentId !== undefined) state.pendingPinned.add(id);
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
    ...(params.job !== undefined ? { job: params.job } : {}),
  });
  return task;
}

// Observed memory per agent (`AgentRecord.observedMem`): every live task counts at its family's
// observed peak, or at its requested mem while the family has no samples. The sum is kept per
// family (`observedByFamily`), so attaching or detaching a task costs O(1) and a peak change
// costs one visit per live task of that family; placement never scans tasks.

/** What a family's live tasks on one agent count for, given the family's peak. */
function familyShare(share: { tasks: number; requestedMem: number }, peak: number | undefined): number {
  return peak === undefined ? share.requestedMem : round3(share.tasks * peak);
}

/** Sets a family's share of an agent's observed memory, telling the index when the sum moves. */
function setShare(state: SchedulerState, agent: AgentRecord, specId: string, mem: number): void {
  const share = agent.observedByFamily.get(specId);
  const before = share?.mem ?? 0;
  if (share) {
    if (share.tasks === 0) agent.observedByFamily.delete(specId);
    else share.mem = mem;
  }
  if (mem === before) return;
  agent.observedMem = Math.max(0, round3(agent.observedMem + mem - before));
  state.index.update(agent.id);
}

function addObserved(state: SchedulerState, agent: AgentRecord, task: TaskRecord, sign: 1 | -1): void {
  let share = agent.observedByFamily.get(task.specId);
  if (!share) {
    if (sign < 0) return;
    share = { tasks: 0, requestedMem: 0, mem: 0 };
    agent.observedByFamily.set(task.specId, share);
  }
  share.tasks += sign;
  share.requestedMem = Math.max(0, round3(share.requestedMem + sign * task.need.mem));
  const peak = state.intelligence.get(task.specId)?.peakMemMb;
  setShare(state, agent, task.specId, share.tasks === 0 ? 0 : familyShare(share, peak));
}

/**
 * Brings the observed memory of every agent running the family up to its current peak. Call it
 * whenever a family's peak may have changed (samples, clear, import).
 */
export function refreshObservedFamily(state: SchedulerState, specId: string): void {
  const live = state.liveBySpec.get(specId);
  if (!live) return;
  const peak = state.intelligence.get(specId)?.peakMemMb;
  for (const id of live) {
    const agentId = state.tasks.get(id)?.agentId;
    const agent = agentId === undefined ? undefined : state.agents.get(agentId);
    const share = agent?.observedByFamily.get(specId);
    if (agent && share) setShare(state, agent, specId, familyShare(share, peak));
  }
}

/**
 * An agent's observed memory worked out from scratch over its tasks: the reference the
 * incremental sum must always equal, to the kB per family (each family's share is rounded with
 * `round3`); tests check it.
 */
export function observedMemFromScratch(state: SchedulerState, agentId: string): number {
  const agent = state.agents.get(agentId);
  if (!agent) return 0;
  let sum = 0;
  for (const id of agent.taskIds) {
    const task = state.tasks.get(id);
    if (!task) continue;
    sum += state.intelligence.get(task.specId)?.peakMemMb ?? task.need.mem;
  }
  return sum;
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
    addObserved(state, agent, task, 1);
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
    addObserved(state, agent, task, -1);
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
  state.pendingPinned.delete(task.id);
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
