import type { Out } from './commands.ts';
import type { SchedulerState } from './state.ts';
import { setTimer } from './timers.ts';

/** Most tasks named in one RECONCILE call. */
const RECONCILE_BATCH = 1000;

/**
 * Starts explicit reconciliation (the algorithm in Mesos' reconciliation guide): ask about every
 * task offerlab believes is launched and not terminal, with its agent id, and repeat with
 * backoff for those that got no answer. At most one reconciliation runs at a time.
 */
export function startReconciliation(state: SchedulerState, now: number, out: Out): void {
  const remaining = new Set<string>();
  for (const task of state.tasks.values()) {
    if (task.phase !== 'pending' && task.phase !== 'done') remaining.add(task.id);
  }
  state.reconciliation = { startedAt: now, total: remaining.size, remaining, attempt: 0 };
  state.reconciled = false;
  if (remaining.size === 0) {
    finishReconciliation(state, now, true, out);
    return;
  }
  sendReconcile(state, now, out);
}

function sendReconcile(state: SchedulerState, now: number, out: Out): void {
  const r = state.reconciliation;
  const frameworkId = state.framework.id;
  if (!r || frameworkId === undefined) return;
  r.attempt++;
  const ids = [...r.remaining];
  for (let i = 0; i < ids.length; i += RECONCILE_BATCH) {
    const tasks = ids.slice(i, i + RECONCILE_BATCH).map((id) => {
      const agentId = state.tasks.get(id)?.agentId;
      return agentId === undefined
        ? { task_id: { value: id } }
        : { task_id: { value: id }, agent_id: { value: agentId } };
    });
    out.send({ framework_id: { value: frameworkId }, type: 'RECONCILE', reconcile: { tasks } });
  }
  const delay = state.config.reconcileBackoffMs * 2 ** (r.attempt - 1);
  setTimer(state, 'reconcile', now + delay, out);
}

/** The reconcile timer fired: ask again about the tasks still unanswered, or give up. */
export function reconcileTimer(state: SchedulerState, now: number, out: Out): void {
  const r = state.reconciliation;
  if (!r) return;
  if (r.remaining.size === 0) {
    finishReconciliation(state, now, true, out);
  } else if (r.attempt >= state.config.reconcileMaxAttempts) {
    finishReconciliation(state, now, false, out);
  } else {
    sendReconcile(state, now, out);
  }
}

export function finishReconciliation(state: SchedulerState, now: number, complete: boolean, out: Out): void {
  const r = state.reconciliation;
  if (!r) return;
  delete state.reconciliation;
  state.reconciled = true;
  state.counters.reconciliations++;
  state.counters.lastReconcileMs = now - r.startedAt;
  setTimer(state, 'reconcile', Number.POSITIVE_INFINITY, out);
  out.record({ type: 'reconciled', tasks: r.total, durationMs: now - r.startedAt, complete });
}

/** Periodic implicit reconciliation: the master answers for every task it knows of ours. */
export function implicitReconcile(state: SchedulerState, now: number, out: Out): void {
  if (state.framework.subscribed && state.framework.id !== undefined) {
    out.send({ framework_id: { value: state.framework.id }, type: 'RECONCILE', reconcile: { tasks: [] } });
  }
  setTimer(state, 'implicit-reconcile', now + state.config.implicitReconcileMs, out);
}
