import { SeededRandom } from '../src/adapters/seeded-random.ts';
import { emptyResources, round3 } from '../src/core/model/resources.ts';
import type { PlacementAgent, PlacementContext, PlacementTask } from '../src/core/placement/plugin.ts';
import type { TaskSpec } from '../src/core/spec/task-spec.ts';

/** A mutable agent for the placement benchmarks. */
export interface BenchAgent extends PlacementAgent {
  free: { cpus: number; mem: number; disk: number; ports: { begin: number; end: number }[] };
}

export const NODETYPES = ['lab', 'analytics', 'gpu', 'storage', 'edge', 'batch', 'web', 'db'];

/** `n` agents of 32 cpus and 128 GiB, ids in the Mesos shape, a nodetype each. */
export function makeAgents(n: number, seed = 1): BenchAgent[] {
  const rng = new SeededRandom(`agents-${seed}`);
  return Array.from({ length: n }, (_, i) => ({
    id: `5f3c2a1b-0000-4000-8000-000000000000-S${i}`,
    hostname: `node-${i + 1}`,
    attributes: { nodetype: NODETYPES[rng.int(0, NODETYPES.length)] as string, nodename: `node-${i + 1}` },
    free: { cpus: 32, mem: 131072, disk: 1_000_000, ports: [{ begin: 31000, end: 32000 }] },
    capacity: { cpus: 32, mem: 131072, disk: 1_000_000 },
    held: false,
    offerCount: 1,
  }));
}

/**
 * `n` tasks of 0.5–2.5 cpus and 1–9 GiB. With `constrainedShare` > 0 that share of them asks for
 * a nodetype.
 */
export function makeTasks(n: number, seed = 1, constrainedShare = 0): PlacementTask[] {
  const rng = new SeededRandom(`tasks-${seed}`);
  return Array.from({ length: n }, (_, i) => {
    const cpus = round3(0.5 + rng.int(0, 21) / 10);
    const mem = 1024 + rng.int(0, 33) * 256;
    const spec: TaskSpec = { id: `job${i % 500}`, dockerimage: 'bench', mem, cpus };
    if (rng.next() < constrainedShare) spec.nodetype = NODETYPES[rng.int(0, NODETYPES.length)] as string;
    const need = { ...emptyResources(), cpus, mem };
    return { id: `job${i % 500}-${String(i).padStart(6, '0')}`, spec, need, notBefore: 0 };
  });
}

export const BENCH_CONTEXT: PlacementContext = {
  now: 0,
  paused: false,
  subscribed: true,
  liveCopiesOnAgent: () => 0,
  liveSingletonCopy: () => undefined,
};
