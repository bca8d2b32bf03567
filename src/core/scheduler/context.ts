import type { PlacementContext } from '../placement/plugin.ts';
import type { SchedulerState } from './state.ts';

/** The cluster-wide view placement plugins query, backed by the scheduler state. */
export function placementContext(state: SchedulerState, now: number): PlacementContext {
  return {
    now,
    paused: state.paused,
    subscribed: state.framework.subscribed,
    liveCopiesOnAgent(specId, agentId) {
      const agent = state.agents.get(agentId);
      if (!agent) return 0;
      let n = 0;
      for (const id of agent.taskIds) {
        if (state.tasks.get(id)?.specId === specId) n++;
      }
      return n;
    },
    liveSingletonCopy(specId, taskId) {
      const live = state.liveBySpec.get(specId);
      if (!live) return undefined;
      for (const id of live) {
        if (id === taskId) continue;
        const t = state.tasks.get(id);
        if (t) return { taskId: id, agentId: t.hostname ?? t.agentId ?? 'unknown' };
      }
      return undefined;
    },
    observedPeakMem: (specId) => state.intelligence.get(specId)?.peakMemMb,
  };
}
