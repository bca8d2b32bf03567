import type { Clock, TimerHandle } from '../../src/ports/clock.ts';
import { EventQueue } from './event-queue.ts';

type Handler = () => void;

/**
 * The discrete-event engine: virtual time that jumps from one scheduled event to the next. Events
 * at equal times run in the order they were scheduled. Nothing here reads the wall clock.
 */
export class Simulation {
  readonly #queue = new EventQueue<Handler>(4096);
  #now = 0;
  #processed = 0;

  now(): number {
    return this.#now;
  }

  /** Number of events run so far. */
  get processed(): number {
    return this.#processed;
  }

  get pending(): number {
    return this.#queue.size;
  }

  /** Time of the next scheduled event (Infinity when none). */
  nextEventTime(): number {
    return this.#queue.peekTime();
  }

  /** Schedules `handler` at absolute time `time` (never earlier than now). */
  at(time: number, handler: Handler): void {
    this.#queue.push(Math.max(time, this.#now), handler);
  }

  after(delay: number, handler: Handler): void {
    this.at(this.#now + Math.max(0, delay), handler);
  }

  /**
   * Runs every event due at or before `end`, then sets the time to `end`. `onEvent` runs after
   * each event (invariant checks, progress). Returns the number of events run.
   */
  runUntil(end: number, onEvent?: (now: number) => void): number {
    let n = 0;
    while (this.#queue.peekTime() <= end) {
      const time = this.#queue.peekTime();
      const handler = this.#queue.pop() as Handler;
      this.#now = time;
      handler();
      n++;
      onEvent?.(time);
    }
    if (end > this.#now) this.#now = end;
    this.#processed += n;
    return n;
  }

  /** A Clock whose timers are simulation events. */
  clock(): Clock {
    return new SimClock(this);
  }
}

class SimClock implements Clock {
  readonly #sim: Simulation;
  readonly #cancelled = new Set<TimerHandle>();
  #next = 1;

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  now(): number {
    return this.#sim.now();
  }

  setTimer(at: number, fire: () => void): TimerHandle {
    const handle = this.#next++;
    this.#sim.at(at, () => {
      if (this.#cancelled.delete(handle)) return;
      fire();
    });
    return handle;
  }

  cancelTimer(handle: TimerHandle): void {
    this.#cancelled.add(handle);
  }
}
