import type { Out } from './commands.ts';
import { poolsExpectAgents } from './pools.ts';
import type { AgentRecord, Family, SchedulerState } from './state.ts';
import { createTask } from './tasks.ts';

/** True when an agent's attributes satisfy the family's nodetype and nodename. */
export function agentEligible(family: Family, agent: AgentRecord): boolean {
  const { nodetype, nodename } = family.spec;
  if (nodetype !== undefined && agent.attributes.nodetype !== nodetype) return false;
  if (nodename !== undefined && agent.attributes.nodename !== nodename) return false;
  return true;
}

/** Creates the missing one-per-node copy for every active family this agent is eligible for. */
export function createOnePerNodeCopies(
  state: SchedulerState,
  agent: AgentRecord,
  now: number,
  out: Out,
): void {
  for (const family of state.families.values()) {
    if (family.retired || family.spec.sla !== 'one-per-node') continue;
    if (family.copies.has(agent.id) || family.excluded.has(agent.id) || !agentEligible(family, agent))
      continue;
    const task = createTask(
      state,
      {
        spec: family.spec,
        ...(family.requested !== undefined ? { requested: family.requested } : {}),
        kind: family.kind,
        labels: family.labels,
        origin: 'one-per-node',
        pinnedAgentId: agent.id,
        notBefore: now,
        failures: 0,
      },
      now,
      out,
    );
    family.copies.set(agent.id, task.id);
  }
}

/** True while at least one one-per-node family still wants copies on new agents. */
export function wantsNewAgents(state: SchedulerState): boolean {
  for (const family of state.families.values()) {
    if (!family.retired && family.spec.sla === 'one-per-node') return true;
  }
  return poolsExpectAgents(state);
}
