import type { PreFilterPlugin } from '../plugin.ts';

/** A singleton is never launched while another copy of it is still live, anywhere. */
export const singleton = {
  name: 'Singleton',
  preFilter: (ctx, task) => {
    if (task.spec.sla !== 'singleton') return undefined;
    const live = ctx.liveSingletonCopy(task.spec.id, task.id);
    return live
      ? { code: 'SingletonAlreadyLive', detail: `${live.taskId} is still live on agent ${live.agentId}` }
      : undefined;
  },
} as const satisfies PreFilterPlugin;
