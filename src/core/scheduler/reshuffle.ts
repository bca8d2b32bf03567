import type { Out } from './commands.ts';
import { lineageSpec } from './intelligence.ts';
import { sendKill } from './kill.ts';
import type { SchedulerState, TaskRecord } from './state.ts';
import { createTask } from './tasks.ts';

/**
 * Charmander's reshuffle, the baseline strategy: kill every running task marked `reshuffleable`
 * (one-per-node tasks excepted) and immediately resubmit a copy of it, which then goes through
 * normal placement — right-sized again when sizing is on, which is what Charmander's reshuffle was
 * for. No planning, no budget; a resubmitted singleton waits until the old copy is
 * gone, so the singleton invariant still holds. Returns the ids of the tasks it killed.
 */
export function charmanderReshuffle(state: SchedulerState, now: number, out: Out): string[] {
  const moved: string[] = [];
  const running = [...state.tasks.values()]
    .filter(
      (t) =>
        t.phase === 'running' &&
        t.killRequested === undefined &&
        t.spec.reshuffleable === true &&
        t.spec.sla !== 'one-per-node',
    )
    .sort((a, b) => a.seq - b.seq);
  for (const task of running) {
    sendKill(state, task, 'reshuffle', now, out);
    resubmitCopy(state, task, undefined, now, out);
    moved.push(task.id);
  }
  out.record({ type: 'reshuffle', strategy: 'charmander', moved });
  return moved;
}

/**
 * A reshuffle's replacement of a task: its lineage's spec, sized as a new submission, optionally
 * pinned to one agent; a singleton's family now points at the replacement.
 */
export function resubmitCopy(
  state: SchedulerState,
  task: TaskRecord,
  pinnedAgentId: string | undefined,
  now: number,
  out: Out,
): TaskRecord {
  const base = lineageSpec(task);
  const copy = createTask(
    state,
    {
      spec: base,
      ...(task.requested !== base ? { requested: task.requested } : {}),
      kind: task.kind,
      labels: task.labels,
      origin: 'reshuffle',
      previous: task.id,
      ...(pinnedAgentId !== undefined ? { pinnedAgentId } : {}),
      notBefore: now,
      failures: 0,
    },
    now,
    out,
  );
  const family = task.spec.sla === 'singleton' ? state.families.get(task.specId) : undefined;
  if (family) family.copies.set('', copy.id);
  return copy;
}
