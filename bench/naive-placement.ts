import type { PlacementTask } from '../src/core/placement/plugin.ts';
import type { BenchAgent } from './workload.ts';

/**
 * The naive baseline: for every task scan every agent object, check the request fits (and the
 * nodetype), score it, keep the best (ties to the earlier agent). Same decisions as the
 * pipeline, none of its data structures.
 */
export function naivePlace(
  agents: BenchAgent[],
  tasks: readonly PlacementTask[],
  policy: 'first-fit' | 'bin-pack' | 'spread',
): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const task of tasks) {
    let best: BenchAgent | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const a of agents) {
      if (a.held || a.offerCount === 0) continue;
      if (task.spec.nodetype !== undefined && a.attributes.nodetype !== task.spec.nodetype) continue;
      if (a.free.cpus < task.need.cpus || a.free.mem < task.need.mem || a.free.disk < task.need.disk)
        continue;
      if (policy === 'first-fit') {
        best = a;
        break;
      }
      const free = (a.free.cpus / a.capacity.cpus + a.free.mem / a.capacity.mem) / 2;
      const need = (task.need.cpus / a.capacity.cpus + task.need.mem / a.capacity.mem) / 2;
      const score = policy === 'spread' ? free - need : 1 - free + need;
      if (score > bestScore) {
        bestScore = score;
        best = a;
      }
    }
    if (best) {
      best.free.cpus = Math.round((best.free.cpus - task.need.cpus) * 1000) / 1000;
      best.free.mem = Math.round((best.free.mem - task.need.mem) * 1000) / 1000;
    }
    out.push(best?.id);
  }
  return out;
}
