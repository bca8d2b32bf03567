import { type Bin, type GrowablePool, planGrowth, type QueuedTask } from '../src/core/pools/demand.ts';

/**
 * The naive baseline of a pool check's scale-up: first fit of every queued task over every agent,
 * from the first agent each time (what `unmetOnBins` did before it resumed per kind of request).
 */
function naiveUnmet(queue: readonly QueuedTask[], bins: readonly Bin[]): number {
  const free = bins.map((b) => ({ ...b.free }));
  let unmet = 0;
  for (const q of queue) {
    const f = free.find((x) => q.need.cpus <= x.cpus && q.need.mem <= x.mem && q.need.disk <= x.disk);
    if (f) {
      f.cpus -= q.need.cpus;
      f.mem -= q.need.mem;
      f.disk -= q.need.disk;
    } else unmet++;
  }
  return unmet;
}

export interface PoolGrowthFigures {
  checksPerSecond: number;
  naiveChecksPerSecond: number;
  ratio: number;
  nodes: number;
}

function rate(fn: () => void, minMs = 300): number {
  fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

/**
 * A burst: `queued` tasks of a dozen sizes wait while `agents` agents are nearly full; how many
 * scale-up decisions per second (the pool check runs one every 10 s).
 */
export function measurePoolGrowth(agents: number, queued: number): PoolGrowthFigures {
  const bins: Bin[] = Array.from({ length: agents }, (_, i) => ({
    hostname: `agent-${i}`,
    attributes: {},
    free: { cpus: 0.5, mem: 512, disk: 0 },
  }));
  const queue: QueuedTask[] = Array.from({ length: queued }, (_, i) => ({
    id: `t${i}`,
    need: { cpus: 1 + (i % 3), mem: 1024 * (1 + (i % 4)), disk: 0 },
  }));
  const pools: GrowablePool[] = [
    { name: 'burst', node: { cpus: 32, mem: 131_072, disk: 0 }, attributes: {}, room: 1000 },
  ];
  let nodes = 0;
  const ours = rate(() => {
    nodes = planGrowth(queue, bins, pools).growth[0]?.nodes ?? 0;
  });
  const naive = rate(() => naiveUnmet(queue, bins));
  return { checksPerSecond: ours, naiveChecksPerSecond: naive, ratio: ours / naive, nodes };
}
