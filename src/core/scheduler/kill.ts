import type { Out } from './commands.ts';
import { withdrawPending } from './lifecycle.ts';
import type { KillCause, SchedulerState, TaskRecord } from './state.ts';

/** Sends (or re-sends) a KILL for a launched task. */
export function sendKill(
  state: SchedulerState,
  task: TaskRecord,
  cause: KillCause,
  now: number,
  out: Out,
): void {
  const first = task.killRequested === undefined;
  task.killRequested ??= cause;
  task.killSentAt = now;
  state.counters.kills++;
  if (first) out.record({ type: 'kill-requested', task: task.id, cause });
  if (state.framework.id === undefined || !state.framework.subscribed) return;
  out.send({
    framework_id: { value: state.framework.id },
    type: 'KILL',
    kill: {
      task_id: { value: task.id },
      ...(task.agentId !== undefined ? { agent_id: { value: task.agentId } } : {}),
    },
  });
}

/** Kills one task, queued or launched, for the given cause. Returns false if it had already ended. */
export function killTask(
  state: SchedulerState,
  task: TaskRecord,
  cause: KillCause,
  now: number,
  out: Out,
): boolean {
  if (task.phase === 'done') return false;
  if (task.phase === 'pending') {
    task.killRequested = cause;
    out.record({ type: 'kill-requested', task: task.id, cause });
    withdrawPending(state, task, 'TASK_KILLED', undefined, now, out);
    return true;
  }
  if (task.killRequested === undefined) sendKill(state, task, cause, now, out);
  return true;
}

/**
 * Charmander's DELETE /client/task/<prefix>: kills every non-terminal task whose unique id starts
 * with the prefix. A prefix that covers every id a one-per-node or singleton task can get
 * (`cadvisor`, `cadvisor-`) retires it, so no new copies appear; killing a single one-per-node copy
 * keeps that agent free of the task. Returns the ids killed, in submission order.
 */
export function killByPrefix(state: SchedulerState, prefix: string, now: number, out: Out): string[] {
  const matched = [...state.tasks.values()]
    .filter((t) => t.phase !== 'done' && t.id.startsWith(prefix))
    .sort((a, b) => a.seq - b.seq);
  for (const family of state.families.values()) {
    if (!family.retired && `${family.specId}-`.startsWith(prefix)) family.retired = true;
  }
  const killed: string[] = [];
  for (const task of matched) {
    if (task.spec.sla === 'one-per-node' && task.pinnedAgentId !== undefined) {
      const family = state.families.get(task.specId);
      if (family && !family.retired) family.excluded.add(task.pinnedAgentId);
    }
    if (killTask(state, task, 'user', now, out)) killed.push(task.id);
  }
  return killed;
}

/** Re-sends KILL for launched tasks whose kill got no terminal answer in time. */
export function retryKills(state: SchedulerState, now: number, out: Out): void {
  for (const task of state.tasks.values()) {
    if (task.phase === 'pending' || task.phase === 'done' || task.killRequested === undefined) continue;
    if (task.killSentAt === undefined || now - task.killSentAt >= state.config.killRetryMs) {
      sendKill(state, task, task.killRequested, now, out);
    }
  }
}
