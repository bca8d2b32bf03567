import type { Offer } from '../mesos/v1.ts';
import { resourcesFromMesos } from '../model/resources.ts';
import { agentForOffer, refreshAgentFree } from './agents.ts';
import type { Out } from './commands.ts';
import { wantsNewAgents } from './families.ts';
import type { SchedulerState } from './state.ts';
import { setTimer } from './timers.ts';

/** Takes in an OFFERS event: every offer is held (until used, rescinded or expired). */
export function receiveOffers(state: SchedulerState, offers: readonly Offer[], now: number, out: Out): void {
  const touched = new Set<string>();
  for (const offer of offers) {
    state.counters.offersReceived++;
    if (state.offers.has(offer.id.value)) continue;
    const resources = resourcesFromMesos(offer.resources);
    const agent = agentForOffer(state, offer, resources, now, out);
    state.offers.set(offer.id.value, {
      id: offer.id.value,
      agentId: agent.id,
      resources,
      template: offer.resources,
      receivedAt: now,
      expiresAt: now + state.config.offerHoldMs,
    });
    agent.offerIds.push(offer.id.value);
    touched.add(agent.id);
  }
  declineHeldAgentOffers(state, touched, out);
  for (const id of touched) {
    const agent = state.agents.get(id);
    if (agent) refreshAgentFree(state, agent);
  }
  if (touched.size > 0) state.placementDirty = true;
  if (state.framework.awaitingOffersUntil > now) {
    // The offers a REVIVE asked for came in one batch: place against them now.
    state.framework.awaitingOffersUntil = Number.NEGATIVE_INFINITY;
    setTimer(state, 'gather', Number.POSITIVE_INFINITY, out);
  }
}

/** Held agents get no tasks: their offers go straight back (with the short filter). */
export function declineHeldAgentOffers(state: SchedulerState, agentIds: Iterable<string>, out: Out): void {
  const ids: string[] = [];
  for (const id of agentIds) {
    const agent = state.agents.get(id);
    if (agent?.held) ids.push(...agent.offerIds);
  }
  if (ids.length > 0) decline(state, ids, state.config.declineRefuseSeconds, out);
}

/** The master withdrew an offer. */
export function rescindOffer(state: SchedulerState, offerId: string): void {
  const offer = state.offers.get(offerId);
  if (!offer) return;
  state.counters.offersRescinded++;
  state.offers.delete(offerId);
  const agent = state.agents.get(offer.agentId);
  if (agent) {
    agent.offerIds = agent.offerIds.filter((id) => id !== offerId);
    refreshAgentFree(state, agent);
  }
}

/** Drops every held offer without answering (they died with the subscription). */
export function forgetOffers(state: SchedulerState): void {
  state.offers.clear();
  for (const agent of state.agents.values()) {
    if (agent.offerIds.length === 0) continue;
    agent.offerIds = [];
    refreshAgentFree(state, agent);
  }
}

/** Declines the given offers with one DECLINE call. */
export function decline(
  state: SchedulerState,
  offerIds: readonly string[],
  refuseSeconds: number,
  out: Out,
): void {
  if (offerIds.length === 0 || state.framework.id === undefined) return;
  const touched = new Set<string>();
  for (const id of offerIds) {
    const offer = state.offers.get(id);
    if (!offer) continue;
    state.offers.delete(id);
    touched.add(offer.agentId);
  }
  for (const agentId of touched) {
    const agent = state.agents.get(agentId);
    if (!agent) continue;
    agent.offerIds = agent.offerIds.filter((id) => state.offers.has(id));
    refreshAgentFree(state, agent);
  }
  state.counters.offersDeclined += offerIds.length;
  out.send({
    framework_id: { value: state.framework.id },
    type: 'DECLINE',
    decline: { offer_ids: offerIds.map((value) => ({ value })), filters: { refuse_seconds: refuseSeconds } },
  });
}

/**
 * Answers what is left after placement: offers held past `offerHoldMs` are declined, with the
 * short filter while work keeps arriving and the long one once nothing was queued for
 * `idleSuppressMs`; then the framework also SUPPRESSes (unless one-per-node tasks wait for new
 * agents). New work after that REVIVEs (`reviveIfWanted`).
 *
 * Every offer is held for the same time, so offers expire in the order they arrived: the expired
 * ones are a prefix of `state.offers` (a Map keeps insertion order) and this costs nothing per
 * step beyond the offers it declines.
 */
export function settleOffers(state: SchedulerState, now: number, out: Out): void {
  const fw = state.framework;
  if (!fw.subscribed || fw.id === undefined) return;
  const busy = state.pending.size > 0;
  const idleAt = fw.lastWorkAt + state.config.idleSuppressMs;
  const idle = !busy && now >= idleAt;
  const expired: string[] = [];
  let nextExpiry = Number.POSITIVE_INFINITY;
  for (const offer of state.offers.values()) {
    if (offer.expiresAt > now) {
      nextExpiry = offer.expiresAt;
      break;
    }
    expired.push(offer.id);
  }
  if (expired.length > 0) {
    decline(state, expired, idle ? state.config.idleRefuseSeconds : state.config.declineRefuseSeconds, out);
    if (idle) fw.declinedIdle = true;
  }
  setTimer(state, 'offers', nextExpiry, out);
  setTimer(state, 'idle', busy || idle ? Number.POSITIVE_INFINITY : idleAt, out);

  if (idle && !wantsNewAgents(state) && !fw.suppressed) {
    fw.suppressed = true;
    fw.reviveWanted = false;
    state.counters.suppresses++;
    out.send({ framework_id: { value: fw.id }, type: 'SUPPRESS' });
  }
}

/**
 * Sends the REVIVE new work asked for (at most one per interval; a later one waits for the
 * 'revive' timer) and makes placement wait for its offers.
 */
export function reviveIfWanted(state: SchedulerState, now: number, out: Out): void {
  const fw = state.framework;
  if (!fw.subscribed || fw.id === undefined || !fw.reviveWanted) return;
  if (state.pending.size === 0 && !wantsNewAgents(state)) {
    fw.reviveWanted = false;
    return;
  }
  if (now - fw.lastReviveAt < state.config.reviveIntervalMs) {
    setTimer(state, 'revive', fw.lastReviveAt + state.config.reviveIntervalMs, out);
    return;
  }
  fw.reviveWanted = false;
  fw.suppressed = false;
  fw.declinedIdle = false;
  fw.lastReviveAt = now;
  fw.awaitingOffersUntil = now + state.config.reviveWaitMs;
  state.counters.revives++;
  out.send({ framework_id: { value: fw.id }, type: 'REVIVE' });
  setTimer(state, 'revive', Number.POSITIVE_INFINITY, out);
  setTimer(state, 'gather', fw.awaitingOffersUntil, out);
}

/** True while placement waits for the offers of a REVIVE just sent. */
export function awaitingOffers(state: SchedulerState, now: number): boolean {
  return now < state.framework.awaitingOffersUntil;
}
