import type { Call, Event } from '../core/mesos/v1.ts';

/** Receives what a transport observes, serially and in order. */
export interface TransportListener {
  /** A leading master is reachable; the scheduler should send SUBSCRIBE now. */
  connected(): void;
  /** The subscription ended; a later `connected` follows when a master is reachable again. */
  disconnected(reason: string): void;
  /** One event of the subscription stream. */
  received(event: Event): void;
  /** A call was refused or could not be delivered (one clear message). */
  callFailed(call: Call, message: string): void;
}

/**
 * The one contract both worlds implement: the simulated cluster (`sim/transport`) and the Mesos
 * v1 scheduler HTTP API. `send(SUBSCRIBE)` opens the subscription; every other call is delivered
 * on the current one. Calls sent while disconnected are reported through `callFailed`.
 */
export interface Transport {
  start(listener: TransportListener): void;
  send(call: Call): void;
  stop(): Promise<void>;
}
