import type { Simulation } from '../../sim/engine/simulation.ts';

/**
 * Runs a simulation against the wall clock: simulated time = real time since start × speed.
 * Between events it sleeps until the next one is due; outside inputs (HTTP calls) first bring the
 * simulation up to now, then run, then the runner re-plans its sleep.
 */
export class RealTimeRunner {
  readonly #sim: Simulation;
  readonly #speed: number;
  #origin = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Simulated time the pending timer wakes the runner at. */
  #wakeAt = Number.POSITIVE_INFINITY;
  #running = false;

  constructor(sim: Simulation, speed: number) {
    if (!(speed > 0)) throw new Error(`speed must be greater than 0, got ${speed}`);
    this.#sim = sim;
    this.#speed = speed;
  }

  /** Simulated time that corresponds to now. */
  now(): number {
    return Math.floor((performance.now() - this.#origin) * this.#speed);
  }

  start(): void {
    this.#origin = performance.now();
    this.#running = true;
    this.#advance();
  }

  /** Brings the simulation up to now, runs `fn` at that time, then re-plans. */
  run<T>(fn: () => T): T {
    if (this.#running) this.#sim.runUntil(Math.max(this.#sim.now(), this.now()));
    try {
      return fn();
    } finally {
      if (this.#running) this.#plan();
    }
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #advance(): void {
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    if (!this.#running) return;
    this.#sim.runUntil(Math.max(this.#sim.now(), this.now()));
    this.#plan();
  }

  /**
   * Sleeps until the next event is due (at most a second). A call that leaves the next event
   * where it was keeps the timer already set: re-arming a timer on every HTTP call costs more
   * than the call itself.
   */
  #plan(): void {
    const next = this.#sim.nextEventTime();
    const now = this.now();
    const wakeAt = Number.isFinite(next)
      ? Math.min(next, now + 1000 * this.#speed)
      : now + 1000 * this.#speed;
    if (this.#timer && wakeAt >= this.#wakeAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wakeAt = wakeAt;
    this.#timer = setTimeout(() => this.#advance(), Math.max(0, (wakeAt - now) / this.#speed));
  }
}
