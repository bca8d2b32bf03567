import type { SimMaster } from '../../sim/cluster/master.ts';
import type { UsageSample as CoreUsageSample } from '../core/scheduler/inputs.ts';

const MB = 1024 * 1024;

/**
 * Metering in simulation: what `/monitor/statistics` would report, read straight from the
 * simulated agents (resident memory now, cpus as the rate since the previous reading), in the
 * shape the core's `usage` input takes. The live counterpart is `metering/agent-meter.ts`.
 */
export class SimMeter {
  readonly #master: SimMaster;
  readonly #lastCpu = new Map<string, { secs: number; at: number }>();

  constructor(master: SimMaster) {
    this.#master = master;
  }

  read(): CoreUsageSample[] {
    const out: CoreUsageSample[] = [];
    const seen = new Set<string>();
    for (const s of this.#master.usageSamples()) {
      seen.add(s.taskId);
      const secs = s.cpusUserTimeSecs + s.cpusSystemTimeSecs;
      const last = this.#lastCpu.get(s.taskId);
      const cpus =
        last && s.timestamp > last.at ? Math.max(0, (secs - last.secs) / (s.timestamp - last.at)) : 0;
      this.#lastCpu.set(s.taskId, { secs, at: s.timestamp });
      out.push({ task: s.taskId, memMb: s.memRssBytes / MB, cpus });
    }
    for (const id of this.#lastCpu.keys()) if (!seen.has(id)) this.#lastCpu.delete(id);
    return out;
  }
}
