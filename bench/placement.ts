import { reserveInPlace } from '../src/core/model/resources.ts';
import { PlacementIndex } from '../src/core/placement/index.ts';
import { pipelineFor } from '../src/core/placement/pipeline.ts';
import type { PlacementTask } from '../src/core/placement/plugin.ts';
import { naivePlace } from './naive-placement.ts';
import { BENCH_CONTEXT, type BenchAgent, makeAgents, makeTasks } from './workload.ts';

/** Places every task through the index, reserving as the placement cycle does. */
export function indexedPlace(
  agents: BenchAgent[],
  tasks: readonly PlacementTask[],
  policy: string,
): (string | undefined)[] {
  const index = new PlacementIndex();
  for (const a of agents) index.add(a);
  const { filters, scorer } = pipelineFor(policy);
  const out: (string | undefined)[] = [];
  for (const task of tasks) {
    const agent = index.best(BENCH_CONTEXT, task, filters, scorer) as BenchAgent | undefined;
    if (agent) {
      reserveInPlace(agent.free, task.need);
      index.update(agent.id);
    }
    out.push(agent?.id);
  }
  return out;
}

export interface PlacementFigures {
  policy: string;
  constrained: boolean;
  tasks: number;
  agents: number;
  placed: number;
  indexedMs: number;
  naiveMs: number;
  perSecond: number;
  naivePerSecond: number;
  ratio: number;
  identical: boolean;
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

/** One placement measurement: the index and the naive scan on identical fresh inputs. */
export function measurePlacement(
  policy: 'first-fit' | 'bin-pack' | 'spread',
  agentsN: number,
  tasksN: number,
  constrainedShare: number,
): PlacementFigures {
  const tasks = makeTasks(tasksN, 7, constrainedShare);
  // Warm-up on a small instance so both paths are compiled before timing.
  indexedPlace(makeAgents(500), makeTasks(5000, 3, constrainedShare), policy);
  naivePlace(makeAgents(500), makeTasks(5000, 3, constrainedShare), policy);
  const indexed = time(() => indexedPlace(makeAgents(agentsN), tasks, policy));
  const naive = time(() => naivePlace(makeAgents(agentsN), tasks, policy));
  const placed = indexed.value.filter((x) => x !== undefined).length;
  const identical =
    indexed.value.length === naive.value.length && indexed.value.every((id, i) => id === naive.value[i]);
  return {
    policy,
    constrained: constrainedShare > 0,
    tasks: tasksN,
    agents: agentsN,
    placed,
    indexedMs: indexed.ms,
    naiveMs: naive.ms,
    perSecond: tasksN / (indexed.ms / 1000),
    naivePerSecond: tasksN / (naive.ms / 1000),
    ratio: naive.ms / indexed.ms,
    identical,
  };
}
