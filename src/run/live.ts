import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SeededRandom } from '../adapters/seeded-random.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { makeConfig } from '../core/scheduler/config.ts';
import type { WireFormat } from '../mesos-http/codec/codec.ts';
import { type Credentials, HttpTransport, type TransportObserver } from '../mesos-http/http-transport.ts';
import { livePoolProvisioner } from '../pools/pool-provisioner.ts';
import type { Provisioner } from '../ports/provisioner.ts';
import type { RunResult } from '../report/run-result.ts';
import { Driver } from '../runtime/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { RunRecorder } from './run-parts.ts';
import { scheduleWorkload } from './workload.ts';

export interface LiveOptions {
  readonly masters: readonly string[];
  readonly format?: WireFormat;
  readonly credentials?: Credentials;
  /** The run's clock runs this many times faster than the wall clock (for a fast fake master). */
  readonly speed?: number;
  readonly seed?: number;
  readonly placement?: string;
  readonly reshuffle?: string;
  readonly sizing?: string;
  readonly tracePath?: string;
  /** TEARDOWN the framework at the end (its tasks go away). */
  readonly teardown?: boolean;
  readonly onProgress?: (ms: number, durationMs: number) => void;
  readonly log?: (line: string) => void;
  /** Timing hooks on the HTTP transport (benchmarks). */
  readonly observer?: TransportObserver;
  /** Ends the run early (Ctrl-C): it is torn down as usual and reported as interrupted. */
  readonly signal?: AbortSignal;
}

/**
 * Composition root for live runs: the same driver and core as in simulation, over the Mesos v1
 * HTTP API, with the wall clock. The scheduler plays the scenario's user actions (submit, kill,
 * reshuffle, hold, pause…); the cluster's own events (agents joining, faults) belong to the
 * cluster — `offerlab fake-master --cluster FILE` plays them. The trace has the same format, with
 * wall-clock milliseconds since the start.
 */
export async function runLive(scenario: Scenario, opts: LiveOptions): Promise<RunResult> {
  const seed = opts.seed ?? scenario.seed;
  const placement = opts.placement ?? scenario.policy.placement;
  const reshuffle = opts.reshuffle ?? scenario.policy.reshuffle;
  const sizing = opts.sizing ?? scenario.policy.sizing;
  const clock = new SystemClock(opts.speed ?? 1);
  const root = new SeededRandom(seed);
  const transport = new HttpTransport({
    masters: opts.masters,
    format: opts.format ?? 'json',
    clock,
    random: new SeededRandom(randomUUID()),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.observer ? { observer: opts.observer } : {}),
  });
  const rec = new RunRecorder(opts.tracePath);
  let fatal: (() => void) | undefined;
  const pools = scenario.cluster.pools;
  const provisioner = pools.length > 0 ? livePoolProvisioner(pools, opts.masters, opts.log) : undefined;
  const driver = new Driver({
    ...(provisioner ? { provisioner } : {}),
    config: makeConfig({
      ...scenario.scheduler,
      pools,
      placement,
      reshuffle,
      sizing,
      hostname: hostname(),
      ...(opts.credentials ? { principal: opts.credentials.principal } : {}),
    }),
    transport,
    clock,
    random: root.fork('scheduler'),
    onRecord: rec.record,
    onFatal: (message) => {
      rec.fail(message);
      fatal?.();
    },
  });
  driver.start();
  scheduleWorkload(clock, driver, root.fork('workload'), scenario.workload);

  await new Promise<void>((resolve) => {
    fatal = resolve;
    opts.signal?.addEventListener(
      'abort',
      () => {
        rec.fail(
          `interrupted after ${Math.round(clock.now() / 1000)} s of ${Math.round(scenario.durationMs / 1000)} s`,
        );
        resolve();
      },
      { once: true },
    );
    const tick = () => {
      const now = clock.now();
      opts.onProgress?.(Math.min(now, scenario.durationMs), scenario.durationMs);
      if (now >= scenario.durationMs) resolve();
      else clock.setTimer(Math.min(scenario.durationMs, now + 1000 * (opts.speed ?? 1)), tick);
    };
    tick();
  });
  const frameworkId = driver.state.framework.id;
  if (opts.teardown !== false && frameworkId !== undefined) await transport.teardown(frameworkId);
  const end = clock.now();
  // The run's machines go with its framework (a teardown leaves nothing running on them).
  if (provisioner && opts.teardown !== false) await destroyPoolMachines(driver, provisioner, opts.log);
  await provisioner?.stop();
  await driver.stop();
  clock.clear();
  return rec.finish(scenario, driver, end, { seed, placement, reshuffle, transport: 'http', events: 0 });
}

/** How long the end of a run waits for its pools' machines to be destroyed. */
const DESTROY_AT_END_MS = 120_000;

/**
 * Destroys every machine the run's pools still have (whatever their state), directly through the
 * provisioner: the scheduler has stopped deciding. Machines that could not be destroyed are named.
 */
async function destroyPoolMachines(
  driver: Driver,
  provisioner: Provisioner,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  const orders: Promise<void>[] = [];
  for (const pool of driver.state.pools.values()) {
    for (const node of pool.nodes.values()) {
      const request = {
        pool: pool.config.name,
        hostname: node.hostname,
        template: pool.config.template,
        ...(node.agentId !== undefined ? { agentId: node.agentId } : {}),
      };
      orders.push(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            log?.(
              `pool ${request.pool}: ${request.hostname} not destroyed after ${DESTROY_AT_END_MS / 1000} s`,
            );
            resolve();
          }, DESTROY_AT_END_MS);
          provisioner.destroy(request, (result) => {
            clearTimeout(timer);
            if (!result.ok)
              log?.(`pool ${request.pool}: ${request.hostname} not destroyed: ${result.message}`);
            resolve();
          });
        }),
      );
    }
  }
  await Promise.all(orders);
}
