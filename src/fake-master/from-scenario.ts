import type { AgentSpec } from '../../sim/cluster/types.ts';
import { groupAgents } from '../scenario/agents.ts';
import type { Scenario, TimingOverrides } from '../scenario/types.ts';
import type { ClusterEvent } from './fake-master.ts';

/** What a fake master needs from a scenario to run its `cluster`: agents, timing, own events. */
export interface ScenarioCluster {
  readonly agents: readonly AgentSpec[];
  readonly timing: TimingOverrides;
  /** Agents joining later (workload `agents` items) and the faults, from the first SUBSCRIBE. */
  readonly timeline: readonly ClusterEvent[];
}

/**
 * The cluster side of a scenario. The scheduler side (submits, kills, holds…) is played by
 * `offerlab run --transport=http`; agents that join and faults happen to the cluster, so the fake
 * master plays them, timed from the first SUBSCRIBE.
 */
export function scenarioCluster(scenario: Scenario): ScenarioCluster {
  const timeline: ClusterEvent[] = [];
  for (const w of scenario.workload) {
    if (w.item.kind === 'agents')
      timeline.push({ at: w.at, kind: 'agents', agents: groupAgents(w.item.group) });
  }
  for (const f of scenario.faults) {
    timeline.push(
      f.item.kind === 'agent-loss'
        ? { at: f.at, kind: 'agent-loss', hostname: f.item.hostname }
        : { at: f.at, kind: 'master-failover', downMs: f.item.downMs },
    );
  }
  return {
    agents: scenario.cluster.agents.flatMap(groupAgents),
    timing: scenario.cluster.timing,
    timeline,
  };
}
