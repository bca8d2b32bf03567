/** Handle of a pending timer. */
export type TimerHandle = number;

/**
 * Time for the runtime: milliseconds since the clock's origin (the start of a run). The
 * simulation clock jumps from event to event; the system clock follows the wall clock.
 */
export interface Clock {
  now(): number;
  /** Calls `fire` once when `now()` reaches `at` (immediately-ish when `at` is in the past). */
  setTimer(at: number, fire: () => void): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
}
