import { setHold } from './agents.ts';
import type { Out } from './commands.ts';
import { declineHeldAgentOffers } from './offers.ts';
import type { SchedulerState } from './state.ts';

/**
 * Holds or releases an agent by hostname (Dynamic Cluster's hold/unhold, Scale's node pause): a
 * held agent's offers are declined at once and it gets no new task. Releasing one lets placement
 * look at it again.
 */
export function applyHold(
  state: SchedulerState,
  hostname: string,
  held: boolean,
  reason: string | undefined,
  out: Out,
): void {
  setHold(state, hostname, held, reason);
  const agentId = state.agentsByHostname.get(hostname);
  if (held && agentId !== undefined) declineHeldAgentOffers(state, [agentId], out);
  out.record({
    type: 'agent-held',
    hostname,
    held,
    ...(reason !== undefined ? { reason } : {}),
  });
  if (!held) state.placementDirty = true;
}
