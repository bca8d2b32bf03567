import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Counters } from '../core/scheduler/state.ts';
import type { Daemon } from '../daemon/daemon.ts';

export interface DaemonMetricsOptions {
  /** Node's process metrics (event-loop lag, heap, GC, CPU…); on unless false. */
  readonly defaultMetrics?: boolean;
}

/** Seconds; a journal fdatasync is sub-millisecond on tmpfs and tens of ms on a busy disk. */
const FSYNC_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The daemon's Prometheus metrics, in a registry of its own (not prom-client's global one, so a
 * process — a test run — can hold many). Scheduler figures are read from `daemon.state` when
 * scraped, so the core pushes nothing; only journal fsync durations and HTTP request durations
 * are observed as they happen.
 *
 * The daemon is started before the API exists, and the journal reports fsyncs from the start, so
 * a `DaemonMetrics` is made first and bound later:
 *
 *     const metrics = new DaemonMetrics();
 *     const daemon = await Daemon.start({ …, onSync: metrics.observeFsync });
 *     const app = buildApp(daemon, { metrics });   // binds metrics to daemon
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  #daemon: Daemon | undefined;
  readonly #fsync: Histogram;
  readonly #http: Histogram<'method' | 'route' | 'status_code'>;
  readonly #httpChildren = new Map<string, { observe(value: number): void }>();

  constructor(opts: DaemonMetricsOptions = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });

    const counters = (): Counters | undefined => this.#daemon?.state.counters;
    const counter = (name: string, help: string, read: (c: Counters) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const c = counters();
          this.reset();
          if (c !== undefined) this.inc(Math.max(0, read(c)));
        },
      });
    const gauge = (name: string, help: string, read: (d: Daemon) => number) => {
      const daemon = () => this.#daemon;
      return new Gauge({
        name,
        help,
        registers,
        collect() {
          const d = daemon();
          this.set(d === undefined ? 0 : read(d));
        },
      });
    };

    counter(
      'offerlab_offers_received_total',
      'Resource offers received from the master.',
      (c) => c.offersReceived,
    );
    counter('offerlab_offers_declined_total', 'Resource offers declined.', (c) => c.offersDeclined);
    counter(
      'offerlab_offers_rescinded_total',
      'Resource offers rescinded by the master.',
      (c) => c.offersRescinded,
    );
    counter('offerlab_launches_total', 'Tasks launched (ACCEPT with a LAUNCH operation).', (c) => c.launches);
    counter('offerlab_kills_total', 'KILL calls sent to the master.', (c) => c.kills);
    counter('offerlab_status_updates_total', 'Task status updates received.', (c) => c.updates);
    counter(
      'offerlab_resubscriptions_total',
      'Subscriptions after the first one (master failover, lost connection).',
      (c) => c.subscriptions - 1,
    );
    counter(
      'offerlab_reconciliations_total',
      'Explicit task reconciliations completed.',
      (c) => c.reconciliations,
    );
    gauge('offerlab_pending_tasks', 'Tasks queued, waiting to be placed.', (d) => d.state.pending.size);
    gauge('offerlab_running_tasks', 'Tasks in TASK_RUNNING.', (d) => {
      let running = 0;
      for (const task of d.state.tasks.values()) if (task.phase === 'running') running++;
      return running;
    });
    gauge('offerlab_agents', 'Agents the scheduler knows of.', (d) => d.state.agents.size);
    gauge(
      'offerlab_reconciliation_seconds',
      'How long the last reconciliation took.',
      (d) => d.state.counters.lastReconcileMs / 1000,
    );
    gauge('offerlab_subscribed', '1 while subscribed to the leading master.', (d) =>
      d.state.framework.subscribed ? 1 : 0,
    );
    gauge('offerlab_ready', '1 while subscribed and reconciled (what /readyz answers).', (d) =>
      d.ready ? 1 : 0,
    );

    this.#fsync = new Histogram({
      name: 'offerlab_journal_fsync_seconds',
      help: 'Duration of the journal fdatasync calls that make changes durable.',
      buckets: FSYNC_BUCKETS,
      registers,
    });
    this.#http = new Histogram({
      name: 'offerlab_http_request_duration_seconds',
      help: 'REST API request duration, by route pattern.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    });
  }

  /** Reads scheduler figures from this daemon from now on. Binding again to the same daemon is a no-op. */
  bind(daemon: Daemon): this {
    if (this.#daemon !== undefined && this.#daemon !== daemon)
      throw new Error('these metrics are already bound to another daemon');
    this.#daemon = daemon;
    return this;
  }

  get bound(): boolean {
    return this.#daemon !== undefined;
  }

  /** A journal fdatasync took `ms` milliseconds. An arrow property: pass it as `DaemonOptions.onSync`. */
  readonly observeFsync = (ms: number): void => {
    if (Number.isFinite(ms) && ms >= 0) this.#fsync.observe(ms / 1000);
  };

  /** One HTTP request answered; `route` is the route pattern (`/client/task/:id/why`), never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    // Resolving label values costs more than the observation; keep one child per combination
    // (bounded: route patterns, methods and status codes are few).
    const key = `${method} ${route} ${statusCode}`;
    let child = this.#httpChildren.get(key);
    if (child === undefined) {
      child = this.#http.labels(method, route, String(statusCode));
      this.#httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** The Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric, in Prometheus' text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
