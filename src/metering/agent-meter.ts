import { request } from 'undici';

/** One agent to read: its id and the base URL its `/monitor/statistics` hangs off. */
export interface MeterTarget {
  readonly agentId: string;
  /** `http://host:5051` for a real agent; `http://127.0.0.1:5050/agents/<id>` for the fake master's. */
  readonly baseUrl: string;
}

/** What a task used at one reading: resident memory, and cpus as the rate since the last reading. */
export interface UsageReading {
  readonly task: string;
  readonly agentId: string;
  /** Resident memory in MB (2^20 bytes, Mesos' unit for `mem`). */
  readonly memMb: number;
  /** Cpus used since the previous reading of this task; undefined at its first reading. */
  readonly cpus?: number;
}

export interface AgentMeterOptions {
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  /** After a failed read an agent is skipped for this long, doubling per failure up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Wall-clock milliseconds (injected so backoff is testable). */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** One executor's entry of `/monitor/statistics` (the fields offerlab reads; mesos-v1-protocol.md §8.3). */
interface ExecutorStatistics {
  executor_id?: unknown;
  source?: unknown;
  statistics?: {
    timestamp?: unknown;
    mem_rss_bytes?: unknown;
    cpus_user_time_secs?: unknown;
    cpus_system_time_secs?: unknown;
  };
}

const MB = 1024 * 1024;

/**
 * Live metering: reads each agent's `/monitor/statistics` (one JSON array entry per executor) and
 * turns it into usage readings for the tasks offerlab wants metered. Agents are read concurrently,
 * each with a timeout; an agent that fails is left alone for a while (exponential backoff) so one
 * dead agent never slows a round down. The command and Docker executors run one task each, with
 * the task id as executor id, which is how a reading is matched to its task.
 */
export class AgentMeter {
  readonly #timeoutMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => number;
  readonly #log: ((line: string) => void) | undefined;
  readonly #failures = new Map<string, { count: number; until: number }>();
  readonly #lastCpu = new Map<string, { secs: number; at: number }>();

  constructor(opts: AgentMeterOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#backoffMs = opts.backoffMs ?? 15_000;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log;
  }

  /** Agents currently skipped after failures, with when they are tried again. */
  backingOff(): { agentId: string; until: number }[] {
    return [...this.#failures].map(([agentId, f]) => ({ agentId, until: f.until }));
  }

  /**
   * One round: reads every target not backing off and returns readings for the tasks in
   * `metered` (tasks not in it — `notmetered` ones, other frameworks' — are skipped).
   */
  async read(targets: readonly MeterTarget[], metered: ReadonlySet<string>): Promise<UsageReading[]> {
    const now = this.#now();
    const due = targets.filter((t) => (this.#failures.get(t.agentId)?.until ?? 0) <= now);
    const rounds = await Promise.all(due.map((t) => this.#readAgent(t, metered)));
    const seen = new Set(targets.map((t) => t.agentId));
    for (const id of this.#failures.keys()) if (!seen.has(id)) this.#failures.delete(id);
    return rounds.flat();
  }

  async #readAgent(target: MeterTarget, metered: ReadonlySet<string>): Promise<UsageReading[]> {
    const url = `${target.baseUrl.replace(/\/+$/, '')}/monitor/statistics`;
    let entries: unknown;
    try {
      const res = await request(url, {
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        headers: { accept: 'application/json' },
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`HTTP ${res.statusCode}`);
      }
      entries = await res.body.json();
      if (!Array.isArray(entries)) throw new Error('not a JSON array');
    } catch (err) {
      this.#failed(target, (err as Error).message);
      return [];
    }
    this.#failures.delete(target.agentId);
    const out: UsageReading[] = [];
    for (const entry of entries as ExecutorStatistics[]) {
      const task = typeof entry.executor_id === 'string' ? entry.executor_id : undefined;
      const s = entry.statistics;
      if (task === undefined || s === undefined || !metered.has(task)) continue;
      const rss = num(s.mem_rss_bytes);
      if (rss === undefined) continue;
      const reading: { task: string; agentId: string; memMb: number; cpus?: number } = {
        task,
        agentId: target.agentId,
        memMb: rss / MB,
      };
      const secs = (num(s.cpus_user_time_secs) ?? 0) + (num(s.cpus_system_time_secs) ?? 0);
      const at = num(s.timestamp);
      if (at !== undefined) {
        const last = this.#lastCpu.get(task);
        if (last && at > last.at) reading.cpus = Math.max(0, (secs - last.secs) / (at - last.at));
        this.#lastCpu.set(task, { secs, at });
      }
      out.push(reading);
    }
    return out;
  }

  #failed(target: MeterTarget, why: string): void {
    const count = (this.#failures.get(target.agentId)?.count ?? 0) + 1;
    const wait = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (count - 1));
    this.#failures.set(target.agentId, { count, until: this.#now() + wait });
    this.#log?.(`metering: cannot read ${target.baseUrl} (${why}); next try in ${Math.round(wait / 1000)} s`);
  }

  /** Forgets the cpu baseline of tasks that ended (keeps the map bounded). */
  forget(tasks: Iterable<string>): void {
    for (const t of tasks) this.#lastCpu.delete(t);
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
