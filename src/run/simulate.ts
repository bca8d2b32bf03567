import { SimMaster } from '../../sim/cluster/master.ts';
import { SimProvisioner } from '../../sim/cluster/provisioner.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { SeededRandom } from '../adapters/seeded-random.ts';
import { makeConfig } from '../core/scheduler/config.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import type { RunResult } from '../report/run-result.ts';
import { Driver } from '../runtime/driver.ts';
import { groupAgents } from '../scenario/agents.ts';
import type { Fault, Scenario } from '../scenario/types.ts';
import type { TraceWriter } from '../trace/trace-writer.ts';
import { RunRecorder } from './run-parts.ts';
import { SimMeter } from './sim-meter.ts';

import { scheduleWorkload } from './workload.ts';

export interface SimulateOptions {
  readonly seed?: number;
  readonly placement?: string;
  readonly reshuffle?: string;
  /** Right-sizing from task intelligence (`off`, `charmander`, `p99-window`); the scenario's by default. */
  readonly sizing?: string;
  /** Write the trace (JSON Lines) here. */
  readonly tracePath?: string;
  /** Called now and then with the simulated time, for progress bars. */
  readonly onProgress?: (simMs: number, durationMs: number) => void;
  /** Called with every scheduler record (tests, live displays). */
  readonly onRecord?: (record: SchedulerRecord, t: number) => void;
}

/**
 * Composition root for simulated runs: builds the simulated cluster, the sim transport and the
 * real driver and core, plays the scenario's workload and faults on the simulation clock, checks
 * invariants on every trace line and returns the result. Same scenario + seed ⇒ same trace.
 */
export function simulate(scenario: Scenario, opts: SimulateOptions = {}): RunResult {
  const seed = opts.seed ?? scenario.seed;
  const placement = opts.placement ?? scenario.policy.placement;
  const reshuffle = opts.reshuffle ?? scenario.policy.reshuffle;
  const sizing = opts.sizing ?? scenario.policy.sizing;
  const root = new SeededRandom(seed);
  const sim = new Simulation();
  const master = new SimMaster(sim, root.fork('cluster'), { timing: scenario.cluster.timing });
  for (const group of scenario.cluster.agents) for (const a of groupAgents(group)) master.addAgent(a);
  const transport = new SimTransport(sim, master, root.fork('transport'), {
    latencyMs: scenario.cluster.timing.latencyMs ?? master.cs.timing.latencyMs,
  });

  const rec = new RunRecorder(opts.tracePath, opts.onRecord);
  const pools = scenario.cluster.pools;
  const driver = new Driver({
    config: makeConfig({ ...scenario.scheduler, placement, reshuffle, sizing, pools }),
    transport,
    clock: sim.clock(),
    random: root.fork('scheduler'),
    onRecord: rec.record,
    onFatal: rec.fail,
    provisioner: new SimProvisioner(sim, master, (r) => pools.find((p) => p.name === r.pool)),
  });
  driver.start();

  scheduleWorkload(sim.clock(), driver, root.fork('workload'), scenario.workload, {
    addAgents: (group) => {
      for (const a of groupAgents(group)) master.addAgent(a);
    },
  });
  const meteringMs = scenario.meteringMs;
  if (meteringMs !== undefined) {
    const meter = new SimMeter(master);
    const read = () => {
      const samples = meter.read();
      if (samples.length > 0) driver.input({ type: 'usage', samples });
      sim.after(meteringMs, read);
    };
    sim.after(meteringMs, read);
  }
  for (const { at, item } of scenario.faults)
    sim.at(at, () => applyFault(master, rec.writer, sim.now(), item));

  const slice = Math.max(1000, Math.floor(scenario.durationMs / 200));
  for (let t = 0; t < scenario.durationMs; ) {
    t = Math.min(scenario.durationMs, t + slice);
    sim.runUntil(t);
    opts.onProgress?.(t, scenario.durationMs);
    if (rec.fatal !== undefined) break;
  }
  const result = rec.finish(scenario, driver, sim.now(), {
    seed,
    placement,
    reshuffle,
    transport: 'sim',
    events: sim.processed,
  });
  void driver.stop();
  return result;
}

function applyFault(master: SimMaster, writer: TraceWriter, t: number, fault: Fault): void {
  if (fault.kind === 'agent-loss') {
    const agent = master.agentByHostname(fault.hostname);
    writer.write({
      t,
      type: 'fault',
      fault: 'agent-loss',
      hostname: fault.hostname,
      ...(agent ? {} : { note: 'no such agent at this time' }),
    });
    if (agent) master.removeAgent(agent.id, 'agent-loss fault');
  } else {
    writer.write({ t, type: 'fault', fault: 'master-failover', downMs: fault.downMs });
    master.failover(fault.downMs);
  }
}
