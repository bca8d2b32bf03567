import { SimMaster } from '../sim/cluster/master.ts';
import { Simulation } from '../sim/engine/simulation.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import { SeededRandom } from '../src/adapters/seeded-random.ts';
import { behaviourLabels } from '../src/core/model/task-behaviour.ts';
import { makeConfig } from '../src/core/scheduler/config.ts';
import type { TaskSpec } from '../src/core/spec/task-spec.ts';
import { Driver } from '../src/runtime/driver.ts';
import { recordToLine } from '../src/trace/trace-line.ts';
import { TraceWriter } from '../src/trace/trace-writer.ts';

const DAY_MS = 24 * 3600 * 1000;

export interface LargeDayFigures {
  agents: number;
  submitted: number;
  placements: number;
  events: number;
  traceLines: number;
  wallSeconds: number;
  speedup: number;
  digest: string;
}

/**
 * A Google-trace-sized day (2011-shaped, synthetic): 12,500 agents in three sizes, Poisson
 * arrivals of batch tasks at ~17.4/s (≈1.5M over 24 simulated hours) with exponential runtimes
 * (mean 30 min), run through the real driver, core, sim transport and simulated master, with the
 * trace digested (not written).
 */
export function largeDay(
  opts: { agents?: number; placements?: number; hours?: number; seed?: number } = {},
): LargeDayFigures {
  const agentsN = opts.agents ?? 12_500;
  const hours = opts.hours ?? 24;
  const horizon = hours * 3600 * 1000;
  const target = opts.placements ?? 1_500_000;
  const rate = target / DAY_MS;
  const root = new SeededRandom(opts.seed ?? 2011);
  const sim = new Simulation();
  const master = new SimMaster(sim, root.fork('cluster'));
  const shapes = [
    { cpus: 16, mem: 65536, share: 0.5 },
    { cpus: 32, mem: 131072, share: 0.35 },
    { cpus: 64, mem: 262144, share: 0.15 },
  ];
  const machineRng = root.fork('machines');
  for (let i = 0; i < agentsN; i++) {
    const r = machineRng.next();
    const shape = r < 0.5 ? shapes[0] : r < 0.85 ? shapes[1] : shapes[2];
    if (!shape) continue;
    master.addAgent({
      hostname: `m${i + 1}`,
      resources: { cpus: shape.cpus, mem: shape.mem, disk: 500_000, ports: [{ begin: 31000, end: 32000 }] },
      attributes: { nodetype: i % 10 === 0 ? 'gpu' : 'general' },
    });
  }
  const transport = new SimTransport(sim, master, root.fork('transport'), { latencyMs: 1 });
  const writer = new TraceWriter();
  let placements = 0;
  const driver = new Driver({
    // One framework owns this cluster: it keeps offers for an hour instead of cycling them.
    config: makeConfig({ placement: 'first-fit', offerHoldMs: 3_600_000 }),
    transport,
    clock: sim.clock(),
    random: root.fork('scheduler'),
    onRecord: (record, t) => {
      if (record.type === 'task-launched') placements++;
      writer.write(recordToLine(record, t));
    },
  });
  driver.start();

  const jobRng = root.fork('jobs');
  const specs: TaskSpec[] = Array.from({ length: 200 }, (_, j) => {
    const cpus = [0.1, 0.25, 0.5, 1, 2, 4][jobRng.int(0, 6)] as number;
    const mem = [128, 256, 512, 1024, 2048, 4096, 8192][jobRng.int(0, 7)] as number;
    const spec: TaskSpec = { id: `job${j}`, dockerimage: 'batch', mem, cpus };
    if (j % 20 === 0) spec.nodetype = 'gpu';
    return spec;
  });
  const arrivals = root.fork('arrivals');
  let submitted = 0;
  const arrive = () => {
    const spec = specs[arrivals.int(0, specs.length)] as TaskSpec;
    const runtimeMs = Math.max(1000, Math.round(-Math.log(1 - arrivals.next()) * 30 * 60_000));
    driver.submit(spec, 'batch', { labels: behaviourLabels({ runtimeMs }) });
    submitted++;
    const gap = Math.max(1, Math.round(-Math.log(1 - arrivals.next()) / rate));
    if (sim.now() + gap < horizon) sim.after(gap, arrive);
  };
  sim.at(1000, arrive);

  const start = performance.now();
  for (let t = 0; t < horizon; ) {
    t = Math.min(horizon, t + 3_600_000);
    sim.runUntil(t);
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const digest = writer.finish(sim.now());
  if (process.env.OFFERLAB_BENCH_DEBUG) process.stderr.write(`${JSON.stringify(driver.state.counters)}\n`);
  void driver.stop();
  return {
    agents: agentsN,
    submitted,
    placements,
    events: sim.processed,
    traceLines: writer.lines,
    wallSeconds,
    speedup: horizon / 1000 / wallSeconds,
    digest,
  };
}
