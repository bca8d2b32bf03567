import { withSlaOverride } from '../intelligence/sizing.ts';
import type { Label } from '../mesos/v1.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { Out } from './commands.ts';
import { agentEligible } from './families.ts';
import type { AgentRecord, Family, SchedulerState, TaskKind } from './state.ts';
import { createTask } from './tasks.ts';

export interface Submission {
  spec: TaskSpec;
  kind: TaskKind;
  count?: number;
  labels?: readonly Label[];
}

/**
 * Queues a submission. Plain tasks get `count` independent copies. A singleton gets one copy and
 * a family record that keeps it unique; a one-per-node task gets one copy per eligible agent known
 * now and one more for every eligible agent that appears later. Submitting a singleton or
 * one-per-node id that is still active is refused (Charmander ignored such duplicates silently).
 * With sizing on, the family's SLA override decides the SLA first, and every copy is right-sized.
 * Returns the unique ids created.
 */
export function submit(state: SchedulerState, sub: Submission, now: number, out: Out): string[] {
  const { kind } = sub;
  const spec = withSlaOverride(state.intelligence.get(sub.spec.id), sub.spec, state.config.sizing);
  const asked = spec !== sub.spec ? { requested: sub.spec } : {};
  const labels = sub.labels ?? [];
  const count = sub.count ?? 1;
  if (spec.sla !== undefined) {
    const active = state.families.get(spec.id);
    if (active && !active.retired) {
      out.record({
        type: 'submit-rejected',
        id: spec.id,
        message: `a ${spec.sla} task "${spec.id}" is already active; kill it first (DELETE /client/task/${spec.id})`,
      });
      return [];
    }
    if (count !== 1) {
      out.record({
        type: 'submit-rejected',
        id: spec.id,
        message: `count must be 1 for a ${spec.sla} task, got ${count}`,
      });
      return [];
    }
    const family: Family = {
      specId: spec.id,
      spec,
      ...asked,
      kind,
      labels,
      copies: new Map(),
      excluded: new Set(),
      retired: false,
    };
    state.families.set(spec.id, family);
    if (state.framework.suppressed || state.framework.declinedIdle) state.framework.reviveWanted = true;
    if (spec.sla === 'singleton') {
      const task = createTask(
        state,
        { spec, ...asked, kind, labels, origin: 'submit', notBefore: now, failures: 0 },
        now,
        out,
      );
      family.copies.set('', task.id);
      return [task.id];
    }
    const ids: string[] = [];
    for (const agent of state.index.agents() as readonly AgentRecord[]) {
      if (!agentEligible(family, agent)) continue;
      const task = createTask(
        state,
        {
          spec,
          ...asked,
          kind,
          labels,
          origin: 'submit',
          pinnedAgentId: agent.id,
          notBefore: now,
          failures: 0,
        },
        now,
        out,
      );
      family.copies.set(agent.id, task.id);
      ids.push(task.id);
    }
    return ids;
  }
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      createTask(
        state,
        { spec, ...asked, kind, labels, origin: 'submit', notBefore: now, failures: 0 },
        now,
        out,
      ).id,
    );
  }
  return ids;
}
