import type { TaskState, TaskStatusReason } from '../mesos/v1.ts';
import { removeAgent } from './agents.ts';
import type { Out } from './commands.ts';
import { lineageSpec } from './intelligence.ts';
import { jobCopyEnded } from './jobs.ts';
import type { Family, SchedulerState, TaskRecord } from './state.ts';
import { createTask, endTask } from './tasks.ts';

const AGENT_GONE: ReadonlySet<TaskStatusReason> = new Set<TaskStatusReason>([
  'REASON_AGENT_REMOVED',
  'REASON_AGENT_REMOVED_BY_OPERATOR',
]);

/** Relaunch delay after the n-th consecutive failure: base · 2^(n−1), capped. */
export function backoffDelay(state: SchedulerState, failures: number): number {
  const { relaunchBackoffMs: base, relaunchBackoffMaxMs: max } = state.config;
  return Math.min(max, base * 2 ** Math.max(0, Math.min(30, failures - 1)));
}

function familyOf(state: SchedulerState, task: TaskRecord): Family | undefined {
  return task.spec.sla === undefined ? undefined : state.families.get(task.specId);
}

function copyKey(task: TaskRecord): string {
  return task.spec.sla === 'one-per-node' ? (task.pinnedAgentId ?? '') : '';
}

function releaseCopy(family: Family | undefined, task: TaskRecord): void {
  if (!family) return;
  const key = copyKey(task);
  if (family.copies.get(key) === task.id) family.copies.delete(key);
  if (family.spec.sla === 'singleton' && family.copies.size === 0) family.retired = true;
}

/**
 * A task reached a terminal state (or was given up on). Decides what follows: nothing when
 * offerlab killed it or a batch task finished; a replacement (new task id, after backoff) for a
 * service that ended or a batch task that failed and still has retries; nothing for a one-per-node
 * copy whose agent is gone.
 */
export function taskEnded(
  state: SchedulerState,
  task: TaskRecord,
  mesosState: TaskState,
  reason: TaskStatusReason | undefined,
  now: number,
  out: Out,
): void {
  if (task.phase === 'done') return;
  const replacement = endAndReplace(state, task, mesosState, reason, now, out);
  if (task.job !== undefined) jobCopyEnded(state, task, mesosState, replacement, now, out);
}

/** Ends the task; returns its replacement when one is due. */
function endAndReplace(
  state: SchedulerState,
  task: TaskRecord,
  mesosState: TaskState,
  reason: TaskStatusReason | undefined,
  now: number,
  out: Out,
): TaskRecord | undefined {
  const ranFor = task.runningAt === undefined ? 0 : now - task.runningAt;
  const agentId = task.agentId;
  endTask(state, task, mesosState, reason, now);
  // Mesos reports each task of a removed agent, then sends FAILURE. The agent counts as gone once
  // its last task is reported (or at FAILURE), not at the first report: over HTTP the reports
  // arrive one by one, and until then its other tasks are still running as far as anyone knows.
  if (reason !== undefined && AGENT_GONE.has(reason) && agentId !== undefined) {
    if ((state.agents.get(agentId)?.taskIds.size ?? 0) === 0) agentGone(state, agentId, reason, now, out);
  }
  const family = familyOf(state, task);
  if (task.killRequested !== undefined) {
    releaseCopy(family, task);
    return undefined;
  }
  if (task.kind === 'batch' && mesosState === 'TASK_FINISHED') {
    releaseCopy(family, task);
    return undefined;
  }
  if (mesosState === 'TASK_ERROR') {
    releaseCopy(family, task);
    out.record({
      type: 'gave-up',
      task: task.id,
      message: `Mesos refused the task description (${task.message ?? 'TASK_ERROR'}); retrying would not help`,
    });
    return undefined;
  }
  const failures = ranFor >= state.config.backoffResetMs ? 1 : task.failures + 1;
  if (task.kind === 'batch' && failures > state.config.batchMaxRetries) {
    releaseCopy(family, task);
    out.record({
      type: 'gave-up',
      task: task.id,
      message: `batch task failed ${failures} times (${mesosState}); retry limit ${state.config.batchMaxRetries} reached`,
    });
    return undefined;
  }
  if (family?.retired) return undefined;
  const pinned = task.spec.sla === 'one-per-node' ? task.pinnedAgentId : undefined;
  if (pinned !== undefined && (!state.agents.has(pinned) || family?.excluded.has(pinned))) {
    releaseCopy(family, task);
    return undefined;
  }
  const base = lineageSpec(task);
  const replacement = createTask(
    state,
    {
      spec: base,
      ...(task.requested !== base ? { requested: task.requested } : {}),
      kind: task.kind,
      labels: task.labels,
      origin: 'relaunch',
      previous: task.id,
      notBefore: now + backoffDelay(state, failures),
      failures,
      ...(pinned !== undefined ? { pinnedAgentId: pinned } : {}),
      ...(task.job !== undefined ? { job: task.job } : {}),
    },
    now,
    out,
  );
  state.counters.relaunches++;
  if (family) family.copies.set(copyKey(task), replacement.id);
  return replacement;
}

/**
 * Withdraws a task that was never launched (killed while queued, or its one-per-node agent went
 * away); records the terminal state so every submitted task has an end.
 */
export function withdrawPending(
  state: SchedulerState,
  task: TaskRecord,
  mesosState: TaskState,
  reason: TaskStatusReason | undefined,
  now: number,
  out: Out,
): void {
  if (task.phase !== 'pending') return;
  endTask(state, task, mesosState, reason, now);
  releaseCopy(familyOf(state, task), task);
  out.record({
    type: 'task-status',
    task: task.id,
    state: mesosState,
    ...(reason !== undefined ? { reason } : {}),
  });
  if (task.job !== undefined) jobCopyEnded(state, task, mesosState, undefined, now, out);
}

/** Mesos reported an agent removed: forget it and drop the one-per-node copies queued for it. */
export function agentGone(
  state: SchedulerState,
  agentId: string,
  reason: string,
  now: number,
  out: Out,
): void {
  const agent = state.agents.get(agentId);
  if (!agent) return;
  // Mesos reports every task it knew on the agent before FAILURE. A task still here was launched
  // while the agent went away (its ACCEPT crossed the removal): Mesos will drop it, and it is
  // gone now — end it before the agent, so no task outlives its agent.
  for (const id of [...agent.taskIds].sort()) {
    const task = state.tasks.get(id);
    if (!task || task.phase === 'done' || !state.agents.has(agentId)) continue;
    task.state = 'TASK_LOST';
    task.reason = 'REASON_AGENT_REMOVED';
    task.message = 'the agent was removed before Mesos reported the task';
    out.record({
      type: 'task-status',
      task: id,
      state: 'TASK_LOST',
      agent: agentId,
      reason: 'REASON_AGENT_REMOVED',
      message: task.message,
    });
    taskEnded(state, task, 'TASK_LOST', 'REASON_AGENT_REMOVED', now, out);
  }
  removeAgent(state, agentId, reason, out);
  for (const task of [...state.pending.values()]) {
    if (task.pinnedAgentId === agentId)
      withdrawPending(state, task, 'TASK_DROPPED', 'REASON_AGENT_REMOVED', now, out);
  }
}
