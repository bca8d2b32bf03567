import { isTerminalState } from '../mesos/task-states.ts';
import type { TaskStatus } from '../mesos/v1.ts';
import type { Out } from './commands.ts';
import { taskEnded } from './lifecycle.ts';
import { finishReconciliation } from './reconcile.ts';
import type { SchedulerState, TaskRecord } from './state.ts';
import { setTimer } from './timers.ts';

/**
 * Applies one status update. Updates are at-least-once, so a repeat of the current state changes
 * nothing. Every update that carries a uuid is acknowledged (after it has been recorded); updates
 * without one (master-generated) never are. Tasks offerlab does not know, or has already given up
 * on, are killed if they are still alive.
 */
export function receiveUpdate(state: SchedulerState, status: TaskStatus, now: number, out: Out): void {
  state.counters.updates++;
  const id = status.task_id.value;
  const reconciliation = state.reconciliation;
  if (reconciliation?.remaining.delete(id) && reconciliation.remaining.size === 0) {
    finishReconciliation(state, now, true, out);
  }
  const task = state.tasks.get(id);
  if (!task || task.phase === 'done') {
    if (isAlive(status)) killStray(state, task, status, now, out);
    acknowledge(state, status, task, out);
    return;
  }
  if (task.phase === 'pending' || task.state === status.state) {
    acknowledge(state, status, task, out);
    return;
  }
  task.state = status.state;
  if (status.reason !== undefined) task.reason = status.reason;
  else delete task.reason;
  if (status.message !== undefined) task.message = status.message;
  const agent = status.agent_id?.value ?? task.agentId;
  out.record({
    type: 'task-status',
    task: id,
    state: status.state,
    ...(agent !== undefined ? { agent } : {}),
    ...(status.reason !== undefined ? { reason: status.reason } : {}),
    ...(status.message !== undefined ? { message: status.message } : {}),
  });
  switch (status.state) {
    case 'TASK_STAGING':
      task.phase = 'staging';
      break;
    case 'TASK_STARTING':
      task.phase = 'starting';
      break;
    case 'TASK_RUNNING':
      task.phase = 'running';
      task.runningAt ??= now;
      delete task.unreachableAt;
      break;
    case 'TASK_KILLING':
      task.phase = 'killing';
      break;
    case 'TASK_UNREACHABLE':
      task.phase = 'unreachable';
      task.unreachableAt = now;
      scheduleUnreachableCheck(state, out);
      break;
    case 'TASK_UNKNOWN':
      // The master has no record of the task: it is gone; replace it like a lost task.
      taskEnded(state, task, status.state, status.reason, now, out);
      break;
    default:
      if (isTerminalState(status.state)) taskEnded(state, task, status.state, status.reason, now, out);
  }
  acknowledge(state, status, task, out);
}

function isAlive(status: TaskStatus): boolean {
  return (
    status.state === 'TASK_STAGING' ||
    status.state === 'TASK_STARTING' ||
    status.state === 'TASK_RUNNING' ||
    status.state === 'TASK_KILLING'
  );
}

function killStray(
  state: SchedulerState,
  task: TaskRecord | undefined,
  status: TaskStatus,
  now: number,
  out: Out,
): void {
  if (state.framework.id === undefined) return;
  if (task && task.killSentAt !== undefined && now - task.killSentAt < state.config.killRetryMs) return;
  if (task) task.killSentAt = now;
  state.counters.kills++;
  out.record({ type: 'kill-requested', task: status.task_id.value, cause: task ? 'replaced' : 'orphan' });
  out.send({
    framework_id: { value: state.framework.id },
    type: 'KILL',
    kill: {
      task_id: { value: status.task_id.value },
      ...(status.agent_id ? { agent_id: status.agent_id } : {}),
    },
  });
}

function acknowledge(
  state: SchedulerState,
  status: TaskStatus,
  task: TaskRecord | undefined,
  out: Out,
): void {
  if (status.uuid === undefined || state.framework.id === undefined) return;
  const agentId = status.agent_id?.value ?? task?.agentId;
  if (agentId === undefined) return;
  state.counters.acks++;
  out.send({
    framework_id: { value: state.framework.id },
    type: 'ACKNOWLEDGE',
    acknowledge: {
      agent_id: { value: agentId },
      task_id: { value: status.task_id.value },
      uuid: status.uuid,
    },
  });
}

/** Asks for a timer at the earliest time an unreachable (unconstrained) task is due for replacement. */
export function scheduleUnreachableCheck(state: SchedulerState, out: Out): void {
  let due = Number.POSITIVE_INFINITY;
  for (const task of state.tasks.values()) {
    if (task.phase !== 'unreachable' || task.unreachableAt === undefined || task.spec.sla !== undefined)
      continue;
    due = Math.min(due, task.unreachableAt + state.config.unreachableTimeoutMs);
  }
  setTimer(state, 'unreachable', due, out);
}

/**
 * Replaces unconstrained tasks that stayed unreachable too long. Singletons and one-per-node copies
 * wait: replacing them could put two live copies in the cluster when the agent comes back.
 */
export function replaceUnreachable(state: SchedulerState, now: number, out: Out): void {
  for (const task of [...state.tasks.values()]) {
    if (task.phase !== 'unreachable' || task.unreachableAt === undefined || task.spec.sla !== undefined)
      continue;
    if (task.unreachableAt + state.config.unreachableTimeoutMs > now) continue;
    taskEnded(state, task, 'TASK_UNREACHABLE', task.reason, now, out);
    // Mesos still calls it unreachable; offerlab has given up on it (and the journal must know).
    out.record({
      type: 'gave-up',
      task: task.id,
      message: `unreachable for ${Math.round((now - task.unreachableAt) / 1000)} s; replaced`,
    });
  }
  scheduleUnreachableCheck(state, out);
}
