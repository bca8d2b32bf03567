import type { Attribute, Offer } from '../mesos/v1.ts';
import { addResources, emptyResources, formatRanges, type Resources, round3 } from '../model/resources.ts';
import type { Out } from './commands.ts';
import { createOnePerNodeCopies } from './families.ts';
import { rangesToPairs } from './records.ts';
import { type AgentRecord, isLive, type SchedulerState } from './state.ts';
import { attachToAgent } from './tasks.ts';

/** Attributes as strings: TEXT verbatim, SCALAR as a decimal, RANGES and SET the way /state prints them. */
export function attributesToStrings(attributes: readonly Attribute[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes ?? []) {
    if (a.type === 'TEXT' && a.text) out[a.name] = a.text.value;
    else if (a.type === 'SCALAR' && a.scalar) out[a.name] = String(a.scalar.value);
    else if (a.type === 'RANGES' && a.ranges) out[a.name] = formatRanges(a.ranges.range);
    else if (a.type === 'SET' && a.set) out[a.name] = `{${a.set.item.join(', ')}}`;
  }
  return out;
}

/** The agent an offer comes from, created (and announced) on first sight. */
export function agentForOffer(
  state: SchedulerState,
  offer: Offer,
  offered: Resources,
  now: number,
  out: Out,
): AgentRecord {
  const id = offer.agent_id.value;
  const known = state.agents.get(id);
  if (known) {
    known.lastOfferAt = now;
    if (known.hostname !== offer.hostname) {
      state.agentsByHostname.delete(known.hostname);
      known.hostname = offer.hostname;
      state.agentsByHostname.set(offer.hostname, id);
    }
    return known;
  }
  state.removedAgents.delete(id);
  const holdReason = state.holds.get(offer.hostname);
  const agent: AgentRecord = {
    id,
    hostname: offer.hostname,
    attributes: attributesToStrings(offer.attributes),
    free: emptyResources(),
    lastFree: emptyResources(),
    capacity: { cpus: offered.cpus, mem: offered.mem, disk: offered.disk },
    held: holdReason !== undefined,
    offerCount: 0,
    offerIds: [],
    used: { cpus: 0, mem: 0, disk: 0 },
    observedMem: 0,
    observedByFamily: new Map(),
    taskIds: new Set(),
    firstSeenAt: now,
    lastOfferAt: now,
  };
  if (holdReason !== undefined) agent.holdReason = holdReason;
  if (offer.url) agent.url = agentUrl(offer.url);
  state.agents.set(id, agent);
  state.agentsByHostname.set(agent.hostname, id);
  const restored = state.awaitingAgent.get(id);
  if (restored) {
    state.awaitingAgent.delete(id);
    for (const taskId of restored) {
      const task = state.tasks.get(taskId);
      if (task && isLive(task) && task.agentId === id) attachToAgent(state, task, id);
    }
  }
  state.index.add(agent);
  out.record({
    type: 'agent-added',
    agent: id,
    hostname: agent.hostname,
    resources: {
      cpus: offered.cpus,
      mem: offered.mem,
      disk: offered.disk,
      ports: rangesToPairs(offered.ports),
    },
    attributes: { ...agent.attributes },
  });
  createOnePerNodeCopies(state, agent, now, out);
  return agent;
}

/** Keeps `state.roomWithoutOffer` true to the agent's offers, hold and last known free resources. */
export function noteRoom(state: SchedulerState, agent: AgentRecord): void {
  const room = agent.lastFree.cpus > 0 || agent.lastFree.mem > 0;
  if (agent.offerCount === 0 && !agent.held && room) state.roomWithoutOffer.add(agent.id);
  else state.roomWithoutOffer.delete(agent.id);
}

/** Recomputes what an agent has free from the offers held for it. */
export function refreshAgentFree(state: SchedulerState, agent: AgentRecord): void {
  let free = emptyResources();
  for (const offerId of agent.offerIds) {
    const offer = state.offers.get(offerId);
    if (offer) free = addResources(free, offer.resources);
  }
  agent.free = free;
  agent.offerCount = agent.offerIds.length;
  if (agent.offerCount > 0) agent.lastFree = free;
  noteRoom(state, agent);
  agent.capacity = {
    cpus: Math.max(agent.capacity.cpus, round3(free.cpus + agent.used.cpus)),
    mem: Math.max(agent.capacity.mem, round3(free.mem + agent.used.mem)),
    disk: Math.max(agent.capacity.disk, round3(free.disk + agent.used.disk)),
  };
  state.index.update(agent.id);
}

/**
 * Forgets an agent Mesos reported gone. Its offers are dropped; launched tasks stay until their
 * own terminal updates arrive (Mesos sends them; reconciliation covers the case where it cannot).
 */
export function removeAgent(state: SchedulerState, agentId: string, reason: string, out: Out): void {
  const agent = state.agents.get(agentId);
  if (!agent) return;
  for (const offerId of agent.offerIds) state.offers.delete(offerId);
  state.agents.delete(agentId);
  state.roomWithoutOffer.delete(agentId);
  if (state.agentsByHostname.get(agent.hostname) === agentId) state.agentsByHostname.delete(agent.hostname);
  state.index.remove(agentId);
  state.removedAgents.add(agentId);
  out.record({ type: 'agent-removed', agent: agentId, hostname: agent.hostname, reason });
}

/** Holds (or releases) an agent by hostname; remembered for agents not seen yet. */
export function setHold(
  state: SchedulerState,
  hostname: string,
  held: boolean,
  reason: string | undefined,
): void {
  if (held) state.holds.set(hostname, reason ?? 'held');
  else state.holds.delete(hostname);
  const id = state.agentsByHostname.get(hostname);
  const agent = id === undefined ? undefined : state.agents.get(id);
  if (!agent) return;
  agent.held = held;
  if (held) agent.holdReason = reason ?? 'held';
  else delete agent.holdReason;
  noteRoom(state, agent);
  state.index.update(agent.id);
}

/** An offer's agent URL as offerlab keeps it: the address, plus scheme and path when given. */
function agentUrl(url: NonNullable<Offer['url']>): NonNullable<AgentRecord['url']> {
  return {
    ...url.address,
    ...(url.scheme !== undefined ? { scheme: url.scheme } : {}),
    ...(url.path !== undefined ? { path: url.path } : {}),
  };
}

/** Where an agent's HTTP endpoints are (`/monitor/statistics` hangs off it), from its offers' URL. */
export function agentBaseUrl(agent: Pick<AgentRecord, 'url' | 'hostname'>): string | undefined {
  const u = agent.url;
  if (!u) return undefined;
  const host = u.ip ?? u.hostname ?? agent.hostname;
  return `${u.scheme ?? 'http'}://${host}:${u.port}${u.path ?? ''}`;
}
