import type { PreFilterPlugin } from '../plugin.ts';

/** Nothing is launched while the scheduler is paused or not subscribed to a master. */
export const schedulerState = {
  name: 'SchedulerState',
  preFilter: (ctx) => {
    if (!ctx.subscribed)
      return { code: 'NotSubscribed', detail: 'waiting for a subscription to the Mesos master' };
    if (ctx.paused)
      return { code: 'SchedulerPaused', detail: 'the scheduler is paused; running tasks continue' };
    return undefined;
  },
} as const satisfies PreFilterPlugin;
