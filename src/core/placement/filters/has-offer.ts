import type { FilterPlugin } from '../plugin.ts';

/** Mesos launches only on offered resources: the agent needs an outstanding offer. */
export const hasOffer = {
  name: 'HasOffer',
  filter: (_ctx, _task, agent) => (agent.offerCount > 0 ? undefined : 'NoOfferHeld'),
} as const satisfies FilterPlugin;
