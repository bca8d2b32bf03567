import type { Clock, TimerHandle } from '../ports/clock.ts';

/**
 * Wall-clock time in milliseconds since the clock was created, optionally running `speed` times
 * faster (to play a scenario against a fake master that runs at the same speed).
 */
export class SystemClock implements Clock {
  readonly #origin = performance.now();
  readonly #speed: number;
  readonly #timers = new Map<TimerHandle, NodeJS.Timeout>();
  #next = 1;

  constructor(speed = 1) {
    if (!(speed > 0)) throw new Error(`speed must be greater than 0, got ${speed}`);
    this.#speed = speed;
  }

  now(): number {
    return Math.floor((performance.now() - this.#origin) * this.#speed);
  }

  setTimer(at: number, fire: () => void): TimerHandle {
    const handle = this.#next++;
    const delay = Math.max(0, (at - this.now()) / this.#speed);
    const timer = setTimeout(
      () => {
        this.#timers.delete(handle);
        fire();
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.#timers.set(handle, timer);
    return handle;
  }

  cancelTimer(handle: TimerHandle): void {
    const timer = this.#timers.get(handle);
    if (timer) clearTimeout(timer);
    this.#timers.delete(handle);
  }

  /** Cancels every pending timer. */
  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
