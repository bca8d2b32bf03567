import { type Explanation, explain } from '../placement/pipeline.ts';
import type { PlacementAgent } from '../placement/plugin.ts';
import { placementContext } from './context.ts';
import type { AgentRecord, SchedulerState, TaskRecord } from './state.ts';

/**
 * An agent as explanations see it: with no offer held right now, what it had free at the last
 * look stands in, so a pending task is explained by resources and constraints rather than by the
 * timing of offers.
 */
function explainView(agent: AgentRecord): PlacementAgent {
  if (agent.offerCount > 0) return agent;
  return {
    id: agent.id,
    hostname: agent.hostname,
    attributes: agent.attributes,
    free: agent.lastFree,
    capacity: agent.capacity,
    held: agent.held,
    offerCount: 1,
    observedMem: agent.observedMem,
  };
}

/** Why one task is pending (or where it would go); undefined for unknown ids. */
export function explainTask(state: SchedulerState, taskId: string, now: number): Explanation | undefined {
  const task = state.tasks.get(taskId);
  if (!task) return undefined;
  const agents = (state.index.agents() as readonly AgentRecord[]).map(explainView);
  const result = explain(placementContext(state, now), task, agents, state.pipeline);
  if (result.candidate === undefined) return result;
  const agentId = state.agentsByHostname.get(result.candidate);
  const waiting = agentId !== undefined && (state.agents.get(agentId)?.offerCount ?? 0) === 0;
  return waiting
    ? { ...result, text: `would fit on ${result.candidate}; waiting for its next offer` }
    : result;
}

/** Explanations for pending tasks, in submission order (at most `limit`). */
export function explainPending(
  state: SchedulerState,
  now: number,
  limit = 50,
): { task: TaskRecord; why: Explanation }[] {
  const out: { task: TaskRecord; why: Explanation }[] = [];
  for (const task of state.pending.values()) {
    if (out.length >= limit) break;
    const why = explainTask(state, task.id, now);
    if (why) out.push({ task, why });
  }
  return out;
}
