import { SimMaster } from '../../sim/cluster/master.ts';
import { behaviourLabels } from '../../sim/cluster/task-behaviour.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { SeededRandom } from '../adapters/seeded-random.ts';
import type { Random } from '../core/random.ts';
import { makeConfig } from '../core/scheduler/config.ts';
import { explainPending } from '../core/scheduler/queries.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import { checkExpectations } from '../report/expectations.ts';
import { MetricsCollector } from '../report/metrics.ts';
import type { RunResult } from '../report/run-result.ts';
import { Driver } from '../runtime/driver.ts';
import { groupHostnames } from '../scenario/load.ts';
import type { Action, AgentGroup, Fault, Scenario } from '../scenario/types.ts';
import { InvariantChecker } from '../trace/invariants.ts';
import { recordToLine } from '../trace/trace-line.ts';
import { TraceWriter } from '../trace/trace-writer.ts';

export interface SimulateOptions {
  readonly seed?: number;
  readonly placement?: string;
  readonly reshuffle?: string;
  /** Write the trace (JSON Lines) here. */
  readonly tracePath?: string;
  /** Called now and then with the simulated time, for progress bars. */
  readonly onProgress?: (simMs: number, durationMs: number) => void;
  /** Called with every scheduler record (tests, live displays). */
  readonly onRecord?: (record: SchedulerRecord, t: number) => void;
}

/** The agents of a group, as the simulator creates them (`nodename` defaults to the hostname). */
export function groupAgents(group: AgentGroup) {
  return groupHostnames(group).map((hostname) => ({
    hostname,
    resources: { ...group.resources, ports: group.resources.ports.map((r) => ({ ...r })) },
    attributes: { nodename: hostname, ...group.attributes },
  }));
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
  const root = new SeededRandom(seed);
  const sim = new Simulation();
  const master = new SimMaster(sim, root.fork('cluster'), { timing: scenario.cluster.timing });
  for (const group of scenario.cluster.agents) for (const a of groupAgents(group)) master.addAgent(a);
  const transport = new SimTransport(sim, master, root.fork('transport'), {
    latencyMs: scenario.cluster.timing.latencyMs ?? master.cs.timing.latencyMs,
  });

  const writer = new TraceWriter(opts.tracePath);
  const checker = new InvariantChecker();
  writer.listen(checker.listener);
  const metrics = new MetricsCollector();
  let fatal: string | undefined;
  const driver = new Driver({
    config: makeConfig({ ...scenario.scheduler, placement, reshuffle }),
    transport,
    clock: sim.clock(),
    random: root.fork('scheduler'),
    onRecord: (record, t) => {
      metrics.add(record, t);
      opts.onRecord?.(record, t);
      writer.write(recordToLine(record, t));
    },
    onFatal: (message) => {
      fatal ??= message;
    },
  });
  driver.start();

  const workloadRandom = root.fork('workload');
  for (const { at, item } of scenario.workload) scheduleAction(sim, driver, master, workloadRandom, at, item);
  for (const { at, item } of scenario.faults) sim.at(at, () => applyFault(master, writer, sim.now(), item));

  const slice = Math.max(1000, Math.floor(scenario.durationMs / 200));
  for (let t = 0; t < scenario.durationMs; ) {
    t = Math.min(scenario.durationMs, t + slice);
    sim.runUntil(t);
    opts.onProgress?.(t, scenario.durationMs);
    if (fatal !== undefined) break;
  }
  const end = sim.now();
  const digest = writer.finish(end);
  const m = metrics.finish(scenario.durationMs);
  const pending = explainPending(driver.state, end, 100).map(({ task, why }) => ({
    task: task.id,
    spec: task.specId,
    why: why.text,
    reasons: why.reasons.map((r) => ({ code: r.code, count: r.count })),
  }));
  void driver.stop();
  return {
    scenario: {
      name: scenario.name,
      file: scenario.file,
      ...(scenario.description ? { description: scenario.description } : {}),
    },
    seed,
    policy: { placement, reshuffle },
    transport: 'sim',
    metrics: m,
    violations: checker.violations,
    expectations: checkExpectations(scenario.expect, m),
    pending,
    digest,
    traceLines: writer.lines,
    events: sim.processed,
    ...(fatal !== undefined ? { fatal } : {}),
  };
}

function scheduleAction(
  sim: Simulation,
  driver: Driver,
  master: SimMaster,
  random: Random,
  at: number,
  action: Action,
): void {
  switch (action.kind) {
    case 'submit': {
      const labels = behaviourLabels({
        ...(action.behaviour.runtimeMs !== undefined ? { runtimeMs: action.behaviour.runtimeMs } : {}),
        ...(action.behaviour.usage?.mem !== undefined ? { usageMem: action.behaviour.usage.mem } : {}),
        ...(action.behaviour.usage?.cpus !== undefined ? { usageCpus: action.behaviour.usage.cpus } : {}),
      });
      const kind = action.behaviour.runtimeMs !== undefined ? 'batch' : 'service';
      if (action.spreadMs > 0 && action.count > 1) {
        for (let i = 0; i < action.count; i++) {
          const offset = Math.floor(random.next() * action.spreadMs);
          sim.at(at + offset, () => driver.submit(action.spec, kind, { labels }));
        }
      } else {
        sim.at(at, () => driver.submit(action.spec, kind, { count: action.count, labels }));
      }
      return;
    }
    case 'agents':
      sim.at(at, () => {
        for (const a of groupAgents(action.group)) master.addAgent(a);
      });
      return;
    case 'kill':
      sim.at(at, () => driver.input({ type: 'kill', prefix: action.prefix }));
      return;
    case 'reshuffle':
      sim.at(at, () => driver.input({ type: 'reshuffle' }));
      return;
    case 'hold':
      sim.at(at, () =>
        driver.input({
          type: 'hold',
          hostname: action.hostname,
          held: true,
          reason: action.reason ?? 'held by scenario',
        }),
      );
      return;
    case 'unhold':
      sim.at(at, () => driver.input({ type: 'hold', hostname: action.hostname, held: false }));
      return;
    case 'vacate':
      sim.at(at, () => driver.input({ type: 'vacate', hostname: action.hostname }));
      return;
    case 'pause':
      sim.at(at, () => driver.input({ type: 'pause', paused: true }));
      return;
    case 'resume':
      sim.at(at, () => driver.input({ type: 'pause', paused: false }));
      return;
  }
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
