import type { Call, Event, Label } from '../core/mesos/v1.ts';
import type { Random } from '../core/random.ts';
import type { Command } from '../core/scheduler/commands.ts';
import type { SchedulerConfig } from '../core/scheduler/config.ts';
import type { Input } from '../core/scheduler/inputs.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import { createState, type SchedulerState, type TaskKind } from '../core/scheduler/state.ts';
import { step } from '../core/scheduler/step.ts';
import type { TaskSpec } from '../core/spec/task-spec.ts';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { Provisioner } from '../ports/provisioner.ts';
import type { Transport, TransportListener } from '../ports/transport.ts';

export interface DriverOptions {
  readonly config: SchedulerConfig;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  /** Resume as this framework (from durable state). */
  readonly frameworkId?: string;
  /** Start from this state (restored from durable state) instead of an empty one. */
  readonly restored?: SchedulerState;
  /** Called for every record, in order, before the commands that follow it run. */
  readonly onRecord?: (record: SchedulerRecord, now: number) => void;
  /** Called before each call is handed to the transport. */
  readonly onSend?: (call: Call, now: number) => void;
  /** The scheduler cannot continue (its framework was removed). */
  readonly onFatal?: (message: string) => void;
  /** Creates and destroys the machines of elastic pools (none: every request fails, saying so). */
  readonly provisioner?: Provisioner;
}

/**
 * The imperative shell around the pure core: feeds transport events, user requests and timers
 * into `step` one at a time and carries out the commands it returns (calls to the transport,
 * timers on the clock, records to the listeners). The same driver runs in the simulator and
 * against a live master; only the Transport, Clock and Random differ.
 */
export class Driver {
  readonly state: SchedulerState;
  readonly #opts: DriverOptions;
  readonly #timers = new Map<string, TimerHandle>();
  readonly #queue: Input[] = [];
  #busy = false;
  #stopped = false;
  #records: SchedulerRecord[] | undefined;
  #steps = 0;

  constructor(opts: DriverOptions) {
    this.#opts = opts;
    this.state = opts.restored ?? createState(opts.config, opts.frameworkId);
  }

  /**
   * Steps taken so far. The state changes only inside a step, so this is a version number:
   * anything computed from the state stays valid while it is unchanged.
   */
  get steps(): number {
    return this.#steps;
  }

  start(): void {
    const listener: TransportListener = {
      connected: () => this.input({ type: 'connected' }),
      disconnected: (reason) => this.input({ type: 'disconnected', reason }),
      received: (event: Event) => this.input({ type: 'event', event }),
      callFailed: (call, message) => this.input({ type: 'call-failed', call: call.type, message }),
    };
    this.#opts.transport.start(listener);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const handle of this.#timers.values()) this.#opts.clock.cancelTimer(handle);
    this.#timers.clear();
    await this.#opts.transport.stop();
  }

  submit(
    spec: TaskSpec,
    kind: TaskKind,
    opts: { count?: number; labels?: readonly Label[] } = {},
  ): SchedulerRecord[] {
    return this.input({
      type: 'submit',
      spec,
      kind,
      ...(opts.count !== undefined ? { count: opts.count } : {}),
      ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
    });
  }

  /**
   * Feeds one input. Returns the records that input produced (empty when the input was queued
   * behind one already being processed).
   */
  input(input: Input): SchedulerRecord[] {
    if (this.#stopped) return [];
    this.#queue.push(input);
    if (this.#busy) return [];
    this.#busy = true;
    const records: SchedulerRecord[] = [];
    this.#records = records;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const commands = step(this.state, next, { now: this.#opts.clock.now(), random: this.#opts.random });
        this.#steps++;
        this.#execute(commands);
      }
    } finally {
      this.#busy = false;
      this.#records = undefined;
    }
    return records;
  }

  #execute(commands: readonly Command[]): void {
    const { clock, transport } = this.#opts;
    for (const c of commands) {
      switch (c.type) {
        case 'send':
          this.#opts.onSend?.(c.call, clock.now());
          transport.send(c.call);
          break;
        case 'record':
          this.#records?.push(c.record);
          this.#opts.onRecord?.(c.record, clock.now());
          break;
        case 'set-timer': {
          const old = this.#timers.get(c.key);
          if (old !== undefined) clock.cancelTimer(old);
          const key = c.key;
          this.#timers.set(
            key,
            clock.setTimer(c.at, () => {
              this.#timers.delete(key);
              this.input({ type: 'timer', key });
            }),
          );
          break;
        }
        case 'cancel-timer': {
          const old = this.#timers.get(c.key);
          if (old !== undefined) clock.cancelTimer(old);
          this.#timers.delete(c.key);
          break;
        }
        case 'fatal':
          this.#opts.onFatal?.(c.message);
          break;
        case 'provision':
        case 'destroy': {
          const action = c.type;
          const { hostname } = c;
          const request = {
            pool: c.pool,
            hostname,
            template: c.template,
            ...(c.agentId !== undefined ? { agentId: c.agentId } : {}),
          };
          const provisioner = this.#opts.provisioner;
          if (!provisioner) {
            this.#queue.push({
              type: 'pool-result',
              action,
              hostname,
              ok: false,
              message: 'no provisioner is configured for pools',
            });
            break;
          }
          provisioner[action](request, (result) =>
            this.input({
              type: 'pool-result',
              action,
              hostname,
              ok: result.ok,
              ...(result.ok ? {} : { message: result.message }),
            }),
          );
          break;
        }
      }
    }
  }
}
