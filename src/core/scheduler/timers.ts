import type { Out } from './commands.ts';
import type { SchedulerState } from './state.ts';

/**
 * Asks the driver for a timer at `at` (replacing any earlier one with this key); `Infinity`
 * cancels it. Repeating the current time emits nothing.
 */
export function setTimer(state: SchedulerState, key: string, at: number, out: Out): void {
  const current = state.timers.get(key);
  if (!Number.isFinite(at)) {
    if (current !== undefined) {
      state.timers.delete(key);
      out.push({ type: 'cancel-timer', key });
    }
    return;
  }
  if (current === at) return;
  state.timers.set(key, at);
  out.push({ type: 'set-timer', key, at });
}
