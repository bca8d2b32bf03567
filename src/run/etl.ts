import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { SeededRandom } from '../adapters/seeded-random.ts';
import { SystemClock } from '../adapters/system-clock.ts';
import { isTerminalState } from '../core/mesos/task-states.ts';
import { makeConfig } from '../core/scheduler/config.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import type { JobRecord } from '../core/scheduler/state.ts';
import type { JobSpec } from '../core/spec/job-spec.ts';
import type { WireFormat } from '../mesos-http/codec/codec.ts';
import { type Credentials, HttpTransport } from '../mesos-http/http-transport.ts';
import { Driver } from '../runtime/driver.ts';
import type { Violation } from '../trace/invariants.ts';
import { RunRecorder } from './run-parts.ts';

/**
 * `offerlab etl`'s composition root: mesos-http-scheduler's ETL loop (a task template run as
 * copies, `maxtasks` at a time, waves `wait` apart) on offerlab's engine. The same driver and core
 * as every other run, over the Mesos v1 HTTP API with the wall clock; the job is one `job-submit`
 * input. Leader changes, re-subscription with the same framework id, reconciliation and retries of
 * failed copies are the transport's and the core's business — this file only wires them up,
 * watches the job, and answers `/` and `/health`.
 */

export interface EtlOptions {
  readonly masters: readonly string[];
  readonly job: JobSpec;
  readonly format?: WireFormat;
  readonly credentials?: Credentials;
  /** FrameworkInfo.user: the Unix user the copies run as. */
  readonly user?: string;
  /** Write the trace (JSON Lines) here. */
  readonly tracePath?: string;
  /** One line per notable thing (subscriptions, waves, failed copies, the end of the job). */
  readonly log?: (line: string) => void;
  /** Also log the transport's diagnostics and every record. */
  readonly debug?: boolean;
}

/** How a run ended: the job completed, the core gave up (`fatal`), or it was stopped. */
export type EtlEnd = { kind: 'completed' } | { kind: 'fatal'; message: string } | { kind: 'stopped' };

/** The job part of `/health`. */
export interface JobHealth {
  id: string;
  /** running | waiting | completed | deleted. */
  status: string;
  waves: number;
  /** Copies started (a retry of a copy is the same copy). */
  started: number;
  succeeded: number;
  failed: number;
  /** Copies whose current task Mesos reports TASK_RUNNING. */
  running: number;
  /** Copies in flight (queued, launching or running). */
  active: number;
  maxtasks: number;
  /** null: the job runs until it is stopped. */
  total: number | null;
  wait_seconds: number;
  /** While waiting: seconds until the next wave. */
  next_wave_in_seconds?: number;
}

export interface EtlHealth {
  /** ok: subscribed; connecting: looking for the leader or (re)subscribing; failed: fatal. */
  status: 'ok' | 'connecting' | 'failed';
  subscribed: boolean;
  framework_id: string | null;
  /** The master the scheduler is subscribed to. */
  leader?: string;
  /** The fatal error (status failed). */
  message?: string;
  uptime_seconds: number;
  job: JobHealth;
}

/** What is left when a run is closed. */
export interface EtlClosed {
  tornDown: boolean;
  /** The trace's digest (with --trace). */
  digest?: string;
  /** Invariant violations the trace showed (with --trace). */
  violations: readonly Violation[];
}

export class EtlRun {
  readonly clock = new SystemClock();
  readonly transport: HttpTransport;
  readonly driver: Driver;
  readonly job: JobSpec;
  /** Resolves once, with the first end: completion, a fatal error, or `stop()`. */
  readonly ended: Promise<EtlEnd>;
  readonly #opts: EtlOptions;
  readonly #recorder: RunRecorder | undefined;
  #end: ((end: EtlEnd) => void) | undefined;
  #fatal: string | undefined;
  #started = false;
  #closed: Promise<EtlClosed> | undefined;

  /** Builds the run; opens the trace file (throws when it cannot), touches no network yet. */
  constructor(opts: EtlOptions) {
    this.#opts = opts;
    this.job = opts.job;
    const log = opts.log;
    this.transport = new HttpTransport({
      masters: opts.masters,
      format: opts.format ?? 'json',
      clock: this.clock,
      random: new SeededRandom(randomUUID()),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      ...(opts.debug && log ? { log: (line: string) => log(`transport: ${line}`) } : {}),
    });
    this.#recorder = opts.tracePath === undefined ? undefined : new RunRecorder(opts.tracePath);
    this.ended = new Promise<EtlEnd>((resolve) => {
      this.#end = resolve;
    });
    this.driver = new Driver({
      config: makeConfig({
        frameworkName: `offerlab-etl (${opts.job.task.id})`,
        user: opts.user ?? 'root',
        hostname: hostname(),
        ...(opts.credentials ? { principal: opts.credentials.principal } : {}),
      }),
      transport: this.transport,
      clock: this.clock,
      random: new SeededRandom(randomUUID()).fork('scheduler'),
      onRecord: (record, t) => this.#onRecord(record, t),
      onFatal: (message) => {
        this.#fatal ??= message;
        this.#recorder?.fail(message);
        this.#finish({ kind: 'fatal', message });
      },
    });
  }

  /** Subscribes (the transport finds the leader) and submits the job. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.driver.start();
    this.driver.input({ type: 'job-submit', job: this.job });
  }

  /** Ends the run as stopped (a signal), unless it already ended. */
  stop(): void {
    this.#finish({ kind: 'stopped' });
  }

  get frameworkId(): string | undefined {
    return this.driver.state.framework.id;
  }

  get jobRecord(): JobRecord | undefined {
    return this.driver.state.jobs.get(this.job.task.id);
  }

  health(): EtlHealth {
    const fw = this.driver.state.framework;
    const subscribed = fw.subscribed;
    const leader = subscribed ? this.transport.leader : undefined;
    return {
      status: this.#fatal !== undefined ? 'failed' : subscribed ? 'ok' : 'connecting',
      subscribed,
      framework_id: fw.id ?? null,
      ...(leader !== undefined ? { leader } : {}),
      ...(this.#fatal !== undefined ? { message: this.#fatal } : {}),
      uptime_seconds: Math.round(this.clock.now() / 100) / 10,
      job: this.#jobHealth(),
    };
  }

  #jobHealth(): JobHealth {
    const spec = this.job;
    const job = this.jobRecord;
    let running = 0;
    for (const id of job?.active ?? []) if (this.driver.state.tasks.get(id)?.phase === 'running') running++;
    const now = this.clock.now();
    return {
      id: spec.task.id,
      status: job?.status ?? 'submitting',
      waves: job?.waves ?? 0,
      started: job?.started ?? 0,
      succeeded: job?.succeeded ?? 0,
      failed: job?.failed ?? 0,
      running,
      active: job?.active.size ?? 0,
      maxtasks: spec.maxtasks,
      total: spec.total ?? null,
      wait_seconds: spec.waitMs / 1000,
      ...(job?.status === 'waiting' && job.nextWaveAt !== undefined
        ? { next_wave_in_seconds: Math.max(0, Math.round((job.nextWaveAt - now) / 100) / 10) }
        : {}),
    };
  }

  /** One line for `GET /` and the start-up banner. */
  describe(): string {
    const { task, maxtasks, waitMs, total } = this.job;
    const what = task.cmd !== undefined ? `${task.dockerimage} \`${task.cmd}\`` : task.dockerimage;
    return (
      `offerlab etl: job "${task.id}" runs ${what} (cpus ${task.cpus}, mem ${task.mem} MB), ` +
      `${maxtasks} at a time, ${formatSeconds(waitMs)} between waves, ` +
      `${total === undefined ? 'until stopped' : `${total} in all`}`
    );
  }

  /** One line: copies succeeded and failed, waves, elapsed time. */
  summary(end: EtlEnd): string {
    const job = this.jobRecord;
    const how =
      end.kind === 'completed' ? 'completed' : end.kind === 'fatal' ? `failed (${end.message})` : 'stopped';
    const total = this.job.total === undefined ? '' : ` of ${this.job.total}`;
    return (
      `etl: job ${this.job.task.id} ${how}: ${job?.succeeded ?? 0}${total} copies succeeded, ` +
      `${job?.failed ?? 0} failed, ${job?.waves ?? 0} wave${job?.waves === 1 ? '' : 's'}, ` +
      `${(this.clock.now() / 1000).toFixed(1)} s` +
      (this.frameworkId !== undefined ? ` (framework ${this.frameworkId})` : '')
    );
  }

  /**
   * Stops the scheduler: TEARDOWN first when asked (the framework and its tasks go away), then
   * closes the subscription and the trace. Idempotent.
   */
  close(opts: { teardown: boolean }): Promise<EtlClosed> {
    this.#closed ??= this.#close(opts.teardown);
    return this.#closed;
  }

  async #close(teardown: boolean): Promise<EtlClosed> {
    this.#finish({ kind: 'stopped' });
    const id = this.frameworkId;
    let tornDown = false;
    if (teardown && id !== undefined && this.#started) {
      tornDown = await Promise.race([
        this.transport.teardown(id),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
      ]);
      this.#log(tornDown ? `framework ${id} torn down` : `TEARDOWN of framework ${id} failed`);
    }
    const end = this.clock.now();
    await this.driver.stop();
    this.clock.clear();
    const digest = this.#recorder?.writer.finish(end);
    return {
      tornDown,
      ...(digest !== undefined ? { digest } : {}),
      violations: this.#recorder?.checker.violations ?? [],
    };
  }

  #finish(end: EtlEnd): void {
    const resolve = this.#end;
    this.#end = undefined;
    resolve?.(end);
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }

  #onRecord(record: SchedulerRecord, t: number): void {
    this.#recorder?.record(record, t);
    if (this.#opts.debug) this.#log(`record ${JSON.stringify(record)}`);
    else {
      const line = describeRecord(record, t);
      if (line !== undefined) this.#log(line);
    }
    if (record.type === 'job-ended' && record.job === this.job.task.id && record.status === 'completed')
      this.#finish({ kind: 'completed' });
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The records worth a line in the log without --debug. */
export function describeRecord(r: SchedulerRecord, t: number): string | undefined {
  switch (r.type) {
    case 'subscribed':
      return r.resubscribed
        ? `resubscribed as framework ${r.framework}`
        : `subscribed as framework ${r.framework}`;
    case 'disconnected':
      return `disconnected: ${r.reason}`;
    case 'reconciled':
      return `reconciled ${r.tasks} task${r.tasks === 1 ? '' : 's'} in ${r.durationMs} ms${r.complete ? '' : ' (incomplete)'}`;
    case 'job-submitted':
      return `job ${r.job} submitted: ${r.maxtasks} at a time, ${formatSeconds(r.waitMs)} between waves, ${r.total === undefined ? 'until stopped' : `${r.total} in all`}`;
    case 'job-wave':
      return `job ${r.job} wave ${r.wave}: ${r.tasks.join(' ')}`;
    case 'job-waiting':
      return `job ${r.job} wave done (${r.succeeded} succeeded, ${r.failed} failed so far); next wave in ${formatSeconds(r.at - t)}`;
    case 'job-ended':
      return `job ${r.job} ${r.status}: ${r.succeeded} succeeded, ${r.failed} failed`;
    case 'job-rejected':
      return `job ${r.job} rejected: ${r.message}`;
    case 'task-status':
      if (!isTerminalState(r.state) || r.state === 'TASK_FINISHED') return undefined;
      return `${r.task} ${r.state}${r.reason ? ` (${r.reason})` : ''}${r.message ? `: ${r.message}` : ''}`;
    case 'gave-up':
      return `${r.task} given up: ${r.message}`;
    case 'submit-rejected':
      return `${r.id} rejected: ${r.message}`;
    case 'error':
      return r.message;
    default:
      return undefined;
  }
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const TEXT_TYPE = { 'content-type': 'text/plain; charset=utf-8' };

/** The health server: `GET /` (what runs) and `GET /health` (for Marathon's health checks). */
export interface HealthServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/` and `/health` for `run` on `host:port` (0: a free port). `/health` answers 200 while
 * the scheduler is subscribed or (re)connecting — Marathon must not kill it during a leader
 * change — and 503 only after a fatal error. Other paths 404, other methods 405.
 */
export async function serveHealth(run: EtlRun, host: string, port: number): Promise<HealthServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (path !== '/' && path !== '/health') {
      res.writeHead(404, TEXT_TYPE).end(`no such endpoint: ${path}; try /health\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...TEXT_TYPE, allow: 'GET, HEAD' }).end(`${req.method} is not allowed; use GET\n`);
      return;
    }
    const head = req.method === 'HEAD';
    if (path === '/') {
      res.writeHead(200, TEXT_TYPE).end(head ? undefined : `${run.describe()}\n`);
      return;
    }
    const health = run.health();
    res
      .writeHead(health.status === 'failed' ? 503 : 200, JSON_TYPE)
      .end(head ? undefined : `${JSON.stringify(health)}\n`);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
