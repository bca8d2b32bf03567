import type { Offer } from '../../src/core/mesos/v1.ts';
import { compareAgentIds } from '../../src/core/model/agent-order.ts';
import { addResources, emptyResources, fits, type Resources } from '../../src/core/model/resources.ts';
import type { ClusterState } from './cluster-state.ts';
import type { SimAgent, SimFramework } from './types.ts';
import { offerToMesos } from './v1-shapes.ts';
import { frameworkRoles } from './validation.ts';

const MAX_FILTER_SECONDS = 365 * 24 * 3600;
const DEFAULT_REFUSE_SECONDS = 5;

/** Marks an agent for the next allocation cycle. */
export function markDirty(cs: ClusterState, agentId: string): void {
  cs.dirty.add(agentId);
  scheduleTick(cs);
}

export function markAllDirty(cs: ClusterState): void {
  for (const id of cs.agents.keys()) cs.dirty.add(id);
  scheduleTick(cs);
}

/** Allocation runs on a fixed period (aligned to multiples of the interval), only when needed. */
function scheduleTick(cs: ClusterState): void {
  if (cs.tickScheduled || cs.dirty.size === 0) return;
  cs.tickScheduled = true;
  const interval = cs.timing.allocationIntervalMs;
  const next = (Math.floor(cs.sim.now() / interval) + 1) * interval;
  cs.sim.at(next, () => {
    cs.tickScheduled = false;
    allocate(cs);
  });
}

function isEmpty(r: Resources): boolean {
  return r.cpus <= 0 && r.mem <= 0 && r.disk <= 0 && r.ports.length === 0;
}

/** Mesos' default --min_allocatable_resources (cpus:0.01|mem:32): smaller leftovers are not offered. */
function allocatable(r: Resources): boolean {
  return r.cpus >= 0.01 || r.mem >= 32;
}

function wantsOffers(fw: SimFramework): boolean {
  return fw.registered && !fw.removed && fw.connection?.open === true && !fw.suppressed;
}

/** A decline filter blocks an offer whose resources are a subset of what was declined. */
function filtered(cs: ClusterState, fw: SimFramework, agent: SimAgent): boolean {
  const filter = fw.filters.get(agent.id);
  if (!filter) return false;
  if (filter.until <= cs.sim.now()) {
    fw.filters.delete(agent.id);
    return false;
  }
  return fits(filter.resources, agent.free);
}

function share(cs: ClusterState, fw: SimFramework): number {
  let cpus = 0;
  let mem = 0;
  let totalCpus = 0;
  let totalMem = 0;
  for (const a of cs.agents.values()) {
    totalCpus += a.total.cpus;
    totalMem += a.total.mem;
  }
  for (const t of cs.tasks.values()) {
    if (t.frameworkId !== fw.id || t.released) continue;
    cpus += t.resources.cpus;
    mem += t.resources.mem;
  }
  for (const id of fw.offers) {
    const o = cs.offers.get(id);
    if (o) {
      cpus += o.resources.cpus;
      mem += o.resources.mem;
    }
  }
  return Math.max(totalCpus > 0 ? cpus / totalCpus : 0, totalMem > 0 ? mem / totalMem : 0);
}

/**
 * One allocation cycle: offers every dirty agent's free resources, whole, to one framework that
 * wants offers and has no matching decline filter (the one with the lowest dominant share when
 * several do). All offers of a cycle go to a framework in one OFFERS event.
 */
export function allocate(cs: ClusterState): void {
  if (!cs.leading) return;
  const frameworks = [...cs.frameworks.values()].filter(wantsOffers).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (frameworks.length === 0) return;
  const agents = [...cs.dirty].sort(compareAgentIds);
  cs.dirty.clear();
  const batches = new Map<string, Offer[]>();
  for (const agentId of agents) {
    const agent = cs.agents.get(agentId);
    if (!agent || agent.removed || !allocatable(agent.free)) continue;
    const candidates = frameworks.filter((fw) => !filtered(cs, fw, agent));
    if (candidates.length === 0) {
      const until = Math.min(
        ...frameworks.map((fw) => fw.filters.get(agent.id)?.until ?? Number.POSITIVE_INFINITY),
      );
      if (Number.isFinite(until)) cs.sim.at(until, () => markDirty(cs, agent.id));
      continue;
    }
    const fw =
      candidates.length === 1
        ? (candidates[0] as SimFramework)
        : (candidates
            .map((f) => ({ f, s: share(cs, f) }))
            .sort((a, b) => a.s - b.s || (a.f.id < b.f.id ? -1 : 1))[0]?.f as SimFramework);
    const id = `${cs.masterId}-O${cs.offerSeq++}`;
    const offer = { id, frameworkId: fw.id, agentId: agent.id, resources: agent.free };
    agent.free = emptyResources();
    cs.offers.set(id, offer);
    fw.offers.add(id);
    const role = frameworkRoles(fw.info)[0] ?? '*';
    const batch = batches.get(fw.id);
    const mesos = offerToMesos(offer, agent, fw, role, cs.agentsServedAt);
    if (batch) batch.push(mesos);
    else batches.set(fw.id, [mesos]);
  }
  for (const [fwId, offers] of batches) {
    cs.frameworks.get(fwId)?.connection?.deliver({ type: 'OFFERS', offers: { offers } });
  }
}

/**
 * Gives resources back to an agent (declined or left over), optionally behind a decline filter
 * for the framework: Mesos' rules for refuse_seconds (default 5 s, 0 = no filter, capped at a
 * year, never shorter than one allocation interval).
 */
export function returnResources(
  cs: ClusterState,
  agent: SimAgent,
  resources: Resources,
  fw: SimFramework | undefined,
  refuseSeconds: number | undefined,
): void {
  if (agent.removed) return;
  agent.free = addResources(agent.free, resources);
  if (fw) {
    let seconds = refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
    if (!Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
    seconds = Math.min(seconds, MAX_FILTER_SECONDS);
    if (seconds > 0 && !isEmpty(resources)) {
      const now = cs.sim.now();
      const until = now + Math.max(seconds * 1000, cs.timing.allocationIntervalMs);
      const old = fw.filters.get(agent.id);
      fw.filters.set(
        agent.id,
        old && old.until > now
          ? { until: Math.max(old.until, until), resources: addResources(old.resources, resources) }
          : { until, resources },
      );
      cs.sim.at(until, () => markDirty(cs, agent.id));
    }
  }
  markDirty(cs, agent.id);
}

/** Withdraws an outstanding offer (resources back to the agent, no filter). */
export function removeOffer(cs: ClusterState, offerId: string): void {
  const offer = cs.offers.get(offerId);
  if (!offer) return;
  cs.offers.delete(offerId);
  cs.frameworks.get(offer.frameworkId)?.offers.delete(offerId);
  const agent = cs.agents.get(offer.agentId);
  if (agent) returnResources(cs, agent, offer.resources, undefined, undefined);
}
