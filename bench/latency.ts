import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireFormat } from '../src/mesos-http/codec/codec.ts';
import { runLive } from '../src/run/live.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { startFakeMaster } from './fake-master-process.ts';

export interface LatencyCase {
  readonly name: string;
  /** Agents whose tasks come and go: their freed resources are what gets offered. */
  readonly churnAgents: number;
  /** The fake master's allocation interval: with `churnAgents` it sets the offers per event. */
  readonly allocationMs: number;
  /** Agents filled at the start with long-running tasks (engine state). */
  readonly backgroundAgents: number;
  readonly backgroundTasks: number;
  /** Measuring starts once this much time has passed and every status update was acknowledged. */
  readonly warmupSeconds: number;
  /** Give up waiting for the background to settle after this long. */
  readonly maxWarmupSeconds: number;
  readonly measureSeconds: number;
  readonly format: WireFormat;
}

export interface LatencyFigures {
  readonly name: string;
  /** Seconds until the background was launched, running and acknowledged. */
  readonly settledSeconds: number;
  readonly accepted: number;
  readonly meanOffersPerEvent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The scheduler's share: from the record received to the ACCEPT handed to the transport. */
  readonly engineP50Ms: number;
  readonly engineP99Ms: number;
}

/**
 * Churn tasks run 0.9–1.3 s and arrive a little faster than the churn agents can run them, so
 * a backlog is always waiting and every freed agent is offered and accepted at once.
 */
function scenarioText(c: LatencyCase): string {
  const seconds = c.maxWarmupSeconds + c.measureSeconds + 5;
  const perSecond = Math.ceil((c.churnAgents / 1.1) * 1.15);
  const runtimes = ['900ms', '1s', '1100ms', '1300ms'];
  const churn = runtimes
    .map(
      (r) => `  - at: 0s
    submit: { id: churn-${r}, dockerimage: busybox, cpus: 1, mem: 1024, nodetype: churn }
    count: ${Math.ceil((perSecond * seconds) / runtimes.length)}
    spread: ${seconds}s
    runtime: ${r}`,
    )
    .join('\n');
  const background =
    c.backgroundTasks === 0
      ? ''
      : `  - at: 0s
    submit: { id: steady, dockerimage: nginx, cpus: 1, mem: 1024, nodetype: background }
    count: ${c.backgroundTasks}`;
  const perAgent = Math.max(1, Math.ceil(c.backgroundTasks / Math.max(1, c.backgroundAgents)));
  return `name: latency-${c.name}
seed: 7
duration: ${seconds}s
cluster:
  agents:
    - { name: churn, count: ${c.churnAgents}, resources: { cpus: 1, mem: 1024, disk: 1000 }, attributes: { nodetype: churn } }
${c.backgroundAgents > 0 ? `    - { name: bg, count: ${c.backgroundAgents}, resources: { cpus: ${perAgent}, mem: ${perAgent * 1024}, disk: 1000 }, attributes: { nodetype: background } }\n` : ''}  timing: { allocation-interval: ${c.allocationMs}ms }
workload:
${background}
${churn}
`;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Offer-to-ACCEPT latency over loopback: `offerlab fake-master` in its own process streams offers
 * to the real scheduler (driver, core, HTTP transport) in this one. For each offer the clock
 * starts when its event record has been received and decoded and stops when the 202 to the
 * ACCEPT that uses it has been read. Offers received during the warm-up (which also fills the
 * background agents) are not counted.
 */
export async function measureLatency(c: LatencyCase): Promise<LatencyFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'offerlab-latency-'));
  const file = join(dir, `${c.name}.yaml`);
  writeFileSync(file, scenarioText(c));
  const scenario = parseScenario(scenarioText(c), file);
  const { child, master } = await startFakeMaster(file);
  const received = new Map<string, number>();
  const samples: number[] = [];
  const engine: number[] = [];
  let events = 0;
  let offers = 0;
  let updates = 0;
  let acknowledged = 0;
  const t0 = performance.now();
  let measureFrom = Number.POSITIVE_INFINITY;
  const stop = new AbortController();
  const measuring = () => {
    const now = performance.now();
    if (measureFrom === Number.POSITIVE_INFINITY) {
      const s = (now - t0) / 1000;
      const settled = s >= c.warmupSeconds && updates - acknowledged <= 5;
      if (settled || s >= c.maxWarmupSeconds) measureFrom = now;
      else return false;
    }
    if (now - measureFrom < c.measureSeconds * 1000) return true;
    stop.abort();
    return false;
  };
  try {
    await runLive(scenario, {
      masters: [`http://${master}`],
      format: c.format,
      teardown: true,
      signal: stop.signal,
      observer: {
        eventReceived: (event) => {
          if (event.type === 'UPDATE' && event.update.status.uuid !== undefined) updates++;
          if (event.type !== 'OFFERS' || !measuring()) return;
          const now = performance.now();
          events++;
          offers += event.offers.offers.length;
          for (const o of event.offers.offers) received.set(o.id.value, now);
        },
        callSent: (call) => {
          if (call.type !== 'ACCEPT') return;
          const now = performance.now();
          for (const id of call.accept.offer_ids) {
            const at = received.get(id.value);
            if (at !== undefined) engine.push(now - at);
          }
        },
        callAnswered: (call, status) => {
          if (call.type === 'ACKNOWLEDGE') acknowledged++;
          if (call.type !== 'ACCEPT' || status !== 202) return;
          const now = performance.now();
          for (const id of call.accept.offer_ids) {
            const at = received.get(id.value);
            if (at === undefined) continue;
            received.delete(id.value);
            samples.push(now - at);
          }
        },
      },
    });
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  samples.sort((a, b) => a - b);
  engine.sort((a, b) => a - b);
  return {
    name: c.name,
    settledSeconds: (measureFrom - t0) / 1000,
    accepted: samples.length,
    meanOffersPerEvent: events === 0 ? 0 : offers / events,
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
    maxMs: samples[samples.length - 1] ?? Number.NaN,
    engineP50Ms: quantile(engine, 0.5),
    engineP99Ms: quantile(engine, 0.99),
  };
}
