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

/** Runs `fn` on fresh input from `setup` (not timed) `runs` times; the last result and the median time. */
function median<S, T>(runs: number, setup: () => S, fn: (input: S) => T): { value: T; ms: number } {
  const times: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const input = setup();
    const start = performance.now();
    value = fn(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { value: value as T, ms: times[Math.floor(times.length / 2)] as number };
}

/**
 * One placement measurement: the index (median of 5 runs) and the naive scan (median of 3) on
 * identical fresh inputs; the machine is shared, so single runs are too noisy to compare.
 */
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
  const indexed = median(
    5,
    () => makeAgents(agentsN),
    (agents) => indexedPlace(agents, tasks, policy),
  );
  const naive = median(
    3,
    () => makeAgents(agentsN),
    (agents) => naivePlace(agents, tasks, policy),
  );
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
