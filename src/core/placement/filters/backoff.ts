import type { PreFilterPlugin } from '../plugin.ts';

/** A relaunched task waits until its backoff has expired. */
export const backoff = {
  name: 'Backoff',
  preFilter: (ctx, task) =>
    task.notBefore > ctx.now
      ? {
          code: 'BackingOff',
          detail: `relaunch backoff until t=${task.notBefore} ms (${task.notBefore - ctx.now} ms left)`,
        }
      : undefined,
} as const satisfies PreFilterPlugin;
