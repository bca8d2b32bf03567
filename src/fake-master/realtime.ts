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
    if (!this.#running) return;
    this.#sim.runUntil(Math.max(this.#sim.now(), this.now()));
    this.#plan();
  }

  #plan(): void {
    if (this.#timer) clearTimeout(this.#timer);
    const next = this.#sim.nextEventTime();
    if (!Number.isFinite(next)) {
      this.#timer = setTimeout(() => this.#advance(), 1000);
      return;
    }
    const wait = Math.max(0, (next - this.now()) / this.#speed);
    this.#timer = setTimeout(() => this.#advance(), Math.min(1000, wait));
  }
}
