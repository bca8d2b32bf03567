import { randomUUID } from 'node:crypto';
import { hostname as machineHostname } from 'node:os';
import { SeededRandom } from '../adapters/seeded-random.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { agentBaseUrl } from '../core/scheduler/agents.ts';
import { makeConfig, type SchedulerConfig } from '../core/scheduler/config.ts';
import {
  DurableBuilder,
  type DurableChange,
  type DurableView,
  restoreState,
} from '../core/scheduler/durable.ts';
import type { Input } from '../core/scheduler/inputs.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import { isLive, type SchedulerState } from '../core/scheduler/state.ts';
import type { TaskSpec } from '../core/spec/task-spec.ts';
import type { WireFormat } from '../mesos-http/codec/codec.ts';
import { type Credentials, HttpTransport } from '../mesos-http/http-transport.ts';
import { AgentMeter, type MeterTarget } from '../metering/agent-meter.ts';
import type { Provisioner } from '../ports/provisioner.ts';
import type { Transport } from '../ports/transport.ts';
import { Driver } from '../runtime/driver.ts';
import { Journal } from '../store/journal.ts';
import { DurableStore, type StateJournal } from './durable-store.ts';
import { EventHub } from './event-hub.ts';
import { GatedProvisioner } from './gated-provisioner.ts';
import { GatedTransport } from './gated-transport.ts';

export interface DaemonOptions {
  /** Master origins (`http://host:port`), tried in order to find the leader. */
  readonly masters: readonly string[];
  readonly format?: WireFormat;
  readonly credentials?: Credentials;
  /** The daemon's clock runs this many times faster than the wall clock (a fast fake master). */
  readonly speed?: number;
  /** Keep state here (journal + snapshots); without it the daemon forgets everything on exit. */
  readonly stateDir?: string;
  readonly config?: Partial<SchedulerConfig>;
  /** Journal entries between snapshots. */
  readonly snapshotEvery?: number;
  readonly log?: (line: string) => void;
  /** Called with each fdatasync's duration (metrics). */
  readonly onSync?: (ms: number) => void;
  /**
   * Read every agent's `/monitor/statistics` this often (daemon-clock ms) and feed the readings to
   * task intelligence; off when absent or 0.
   */
  readonly meteringMs?: number;
  /** Control over the cluster itself, when offerlab runs it (the simulated cluster). */
  readonly cluster?: ClusterControl;
  /** The scheduler cannot go on (framework removed, journal failed): the daemon should exit. */
  readonly onFatal?: (message: string) => void;
  /** Creates and destroys the machines of elastic pools (`config.pools`). */
  readonly provisioner?: Provisioner;
}

/**
 * What the daemon can do to the cluster itself. Only a simulated cluster offers it; against a
 * real Mesos master, machines are added and removed outside offerlab.
 */
export interface ClusterControl {
  /** Takes an agent out of the cluster; false when no agent has that hostname. */
  removeAgent(hostname: string): boolean;
}

/** What happened to a submission: the unique task ids, or why it was refused. */
export type SubmitOutcome = { ok: true; ids: string[] } | { ok: false; message: string };

/**
 * The long-running scheduler: the same driver and core as `offerlab run`, over the Mesos v1 HTTP
 * API, with durable state. Every change a user asks for goes through `change`, which resolves
 * once what it decided is on disk — a 202 is never answered for something a crash could lose.
 */
export class Daemon {
  readonly driver: Driver;
  readonly clock: SystemClock;
  /** The daemon's clock runs this many times faster than the wall clock. */
  readonly speed: number;
  /** Event ids from the start time: a restarted daemon's ids are all above its predecessor's. */
  readonly hub = new EventHub(10_000, Date.now() * 1000);
  readonly masters: readonly string[];
  readonly cluster: ClusterControl | undefined;
  readonly startedAt = Date.now();
  /** Entries dropped from a torn journal tail at start. */
  readonly recoveredDropped: number;
  readonly #journal: StateJournal | undefined;
  readonly #store: DurableStore | undefined;
  readonly #http: HttpTransport;
  readonly #provisioner: Provisioner | undefined;
  #fatal: string | undefined;
  #stopped = false;

  private constructor(
    opts: DaemonOptions,
    restored: { journal?: StateJournal; view?: DurableView; dropped: number },
  ) {
    this.masters = opts.masters;
    this.cluster = opts.cluster;
    this.speed = opts.speed ?? 1;
    this.clock = new SystemClock(this.speed);
    this.recoveredDropped = restored.dropped;
    const config = makeConfig({ hostname: machineHostname(), ...opts.config });
    const fail = (message: string) => {
      if (this.#fatal !== undefined) return;
      this.#fatal = message;
      opts.log?.(`fatal: ${message}`);
      opts.onFatal?.(message);
    };
    this.#http = new HttpTransport({
      masters: opts.masters,
      format: opts.format ?? 'json',
      clock: this.clock,
      random: new SeededRandom(randomUUID()),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.#journal = restored.journal;
    let transport: Transport = this.#http;
    if (restored.journal) {
      transport = new GatedTransport(this.#http, restored.journal, (err) =>
        fail(`the journal cannot be written: ${err.message}`),
      );
    }
    const provisioner =
      opts.provisioner && restored.journal
        ? new GatedProvisioner(opts.provisioner, restored.journal)
        : opts.provisioner;
    this.driver = new Driver({
      config,
      transport,
      clock: this.clock,
      random: new SeededRandom(randomUUID()),
      ...(restored.view ? { restored: restoreState(config, restored.view, 0) } : {}),
      onRecord: (record, now) => this.#onRecord(record, now),
      onFatal: fail,
      ...(provisioner ? { provisioner } : {}),
    });
    this.#provisioner = opts.provisioner;
    if (restored.journal) {
      this.#store = new DurableStore(
        restored.journal,
        () => this.driver.state,
        opts.snapshotEvery,
        (err) => opts.log?.(`snapshot failed (the journal still holds everything): ${err.message}`),
      );
    }
  }

  /** Opens (or creates) the state directory, restores what it holds and subscribes. */
  static async start(opts: DaemonOptions): Promise<Daemon> {
    let restored: { journal?: StateJournal; view?: DurableView; dropped: number } = { dropped: 0 };
    if (opts.stateDir !== undefined) {
      const { journal, recovered } = await Journal.open<DurableChange, DurableView>(opts.stateDir, {
        ...(opts.onSync ? { onSync: (ms: number) => opts.onSync?.(ms) } : {}),
      });
      const builder = new DurableBuilder(recovered.snapshot);
      for (const change of recovered.records) builder.apply(change);
      const empty = recovered.snapshot === undefined && recovered.records.length === 0;
      restored = { journal, dropped: recovered.dropped, ...(empty ? {} : { view: builder.view() }) };
    }
    const daemon = new Daemon(opts, restored);
    daemon.driver.start();
    if (opts.meteringMs !== undefined && opts.meteringMs > 0) daemon.#meter(opts.meteringMs, opts.log);
    return daemon;
  }

  get state(): SchedulerState {
    return this.driver.state;
  }

  get durable(): boolean {
    return this.#journal !== undefined;
  }

  /** Why the daemon stopped scheduling, if it did. */
  get fatal(): string | undefined {
    return this.#fatal;
  }

  /** Ready: subscribed to the leading master and reconciled since. */
  get ready(): boolean {
    return this.state.framework.subscribed && this.state.reconciled;
  }

  /**
   * Feeds one user request to the scheduler and waits until everything it decided is durable.
   * Returns the records it produced.
   */
  async change(input: Input): Promise<SchedulerRecord[]> {
    const records = this.driver.input(input);
    // A kill by prefix can retire a family, and a one-per-node submission can create one, without
    // any task record to carry it into the journal.
    if (input.type === 'kill' || (input.type === 'submit' && input.spec.sla !== undefined))
      this.#store?.families();
    await this.#journal?.synced();
    return records;
  }

  /** Charmander's POST /client/task: a service, one copy (or one per node / a singleton). */
  async submit(spec: TaskSpec): Promise<SubmitOutcome> {
    const records = await this.change({ type: 'submit', spec, kind: 'service' });
    const rejected = records.find((r) => r.type === 'submit-rejected');
    if (rejected?.type === 'submit-rejected') return { ok: false, message: rejected.message };
    return { ok: true, ids: records.flatMap((r) => (r.type === 'task-submitted' ? [r.task] : [])) };
  }

  /**
   * The metering loop: one round of agent reads at a time, the next one `intervalMs` after the
   * previous finished. Tasks of `notmetered` specs are not asked for.
   */
  #meter(intervalMs: number, log?: (line: string) => void): void {
    const meter = new AgentMeter({ ...(log ? { log } : {}) });
    const round = async () => {
      if (this.#stopped) return;
      const state = this.state;
      const targets: MeterTarget[] = [];
      for (const agent of state.agents.values()) {
        const baseUrl = agentBaseUrl(agent);
        if (baseUrl !== undefined && agent.taskIds.size > 0) targets.push({ agentId: agent.id, baseUrl });
      }
      const metered = new Set<string>();
      for (const task of state.tasks.values())
        if (isLive(task) && task.spec.notmetered !== true) metered.add(task.id);
      const readings = targets.length > 0 ? await meter.read(targets, metered) : [];
      if (this.#stopped) return;
      if (readings.length > 0)
        this.driver.input({
          type: 'usage',
          samples: readings.map((r) => ({ task: r.task, memMb: r.memMb, cpus: r.cpus ?? 0 })),
        });
      this.clock.setTimer(this.clock.now() + intervalMs, () => void round());
    };
    this.clock.setTimer(this.clock.now() + intervalMs, () => void round());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#provisioner?.stop();
    await this.driver.stop();
    this.clock.clear();
    if (this.#store) await this.#store.snapshot().catch(() => undefined);
    await this.#journal?.close();
  }

  #onRecord(record: SchedulerRecord, now: number): void {
    this.#store?.record(record);
    this.hub.publish(record, now);
  }
}
