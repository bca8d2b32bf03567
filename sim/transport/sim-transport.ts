import type { Call, Event } from '../../src/core/mesos/v1.ts';
import type { Random } from '../../src/core/random.ts';
import type { Transport, TransportListener } from '../../src/ports/transport.ts';
import { uuidFrom } from '../cluster/ids.ts';
import type { SimMaster } from '../cluster/master.ts';
import type { Connection } from '../cluster/types.ts';
import type { Simulation } from '../engine/simulation.ts';

export interface SimTransportOptions {
  /** One-way latency between scheduler and master, in simulated ms. */
  readonly latencyMs: number;
  /** Reconnect backoff: first wait, doubling up to the cap. */
  readonly reconnectMs?: number;
  readonly reconnectMaxMs?: number;
}

/**
 * The Transport contract over the simulated master: calls and events travel through the event
 * queue with a fixed latency, so both directions stay in order like a TCP stream. SUBSCRIBE opens
 * a stream (a `Connection`); when the master cuts it the listener hears `disconnected`, and the
 * transport keeps looking for a leader and reports `connected` when one answers.
 */
export class SimTransport implements Transport {
  readonly #sim: Simulation;
  readonly #master: SimMaster;
  readonly #random: Random;
  readonly #latency: number;
  readonly #reconnectMs: number;
  readonly #reconnectMaxMs: number;
  #listener: TransportListener | undefined;
  #conn: Connection | undefined;
  #attempt = 0;
  #stopped = false;
  #connecting = false;

  constructor(sim: Simulation, master: SimMaster, random: Random, opts: SimTransportOptions) {
    this.#sim = sim;
    this.#master = master;
    this.#random = random;
    this.#latency = opts.latencyMs;
    this.#reconnectMs = opts.reconnectMs ?? 1000;
    this.#reconnectMaxMs = opts.reconnectMaxMs ?? 15_000;
  }

  start(listener: TransportListener): void {
    this.#listener = listener;
    this.#stopped = false;
    this.#scheduleConnect(0);
  }

  #scheduleConnect(delay: number): void {
    if (this.#connecting || this.#stopped) return;
    this.#connecting = true;
    this.#sim.after(delay, () => {
      this.#connecting = false;
      if (this.#stopped || this.#conn?.open) return;
      if (this.#master.leading) {
        this.#attempt = 0;
        this.#sim.after(this.#latency, () => {
          if (!this.#stopped) this.#listener?.connected();
        });
      } else {
        const wait = Math.min(this.#reconnectMaxMs, this.#reconnectMs * 2 ** this.#attempt++);
        this.#scheduleConnect(wait);
      }
    });
  }

  send(call: Call): void {
    if (this.#stopped) return;
    if (call.type === 'SUBSCRIBE') {
      this.#subscribe(call);
      return;
    }
    const conn = this.#conn;
    if (!conn?.open) {
      this.#sim.after(0, () => this.#listener?.callFailed(call, 'not subscribed: the call was dropped'));
      return;
    }
    this.#sim.after(this.#latency, () => {
      const result = this.#master.call(conn.streamId, call);
      if (!result.ok) {
        this.#sim.after(this.#latency, () =>
          this.#listener?.callFailed(
            call,
            `${call.type} refused with HTTP ${result.status}: ${result.message}`,
          ),
        );
      }
    });
  }

  #subscribe(call: Call & { type: 'SUBSCRIBE' }): void {
    if (this.#conn?.open) this.#master.disconnect(this.#conn);
    const sim = this.#sim;
    const latency = this.#latency;
    const conn: Connection = {
      streamId: uuidFrom(this.#random),
      open: true,
      deliver: (event: Event) => {
        if (!conn.open) return;
        sim.after(latency, () => {
          if (this.#conn === conn && !this.#stopped) this.#listener?.received(event);
        });
      },
      close: (reason: string) => {
        if (!conn.open) return;
        conn.open = false;
        sim.after(latency, () => {
          if (this.#conn !== conn || this.#stopped) return;
          this.#conn = undefined;
          this.#listener?.disconnected(reason);
          this.#scheduleConnect(this.#reconnectMs);
        });
      },
    };
    this.#conn = conn;
    sim.after(latency, () => {
      if (!conn.open) return;
      const result = this.#master.subscribe(conn, call);
      if (!result.ok) conn.close(`SUBSCRIBE refused with HTTP ${result.status}: ${result.message}`);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#conn?.open) this.#master.disconnect(this.#conn);
    this.#conn = undefined;
  }
}
