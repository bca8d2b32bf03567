import { compareAgentIds } from '../model/agent-order.ts';
import type {
  FilterPlugin,
  PlacementAgent,
  PlacementContext,
  PlacementTask,
  ScorerPlugin,
  SubtreeBounds,
} from './plugin.ts';

const NO_NODETYPE_BIT = 1 << 31;
const OVERFLOW_BIT = 1 << 30;
const MAX_NODETYPE_BITS = 30;

/**
 * A segment tree over the known agents, in agent-id order, that finds the agent a scorer ranks
 * best without scanning every agent.
 *
 * Each tree node keeps, for the agents below it that have an offer and are not held: the max free
 * cpus, mem and disk, a bit mask of their `nodetype` values, and the aggregates scorers use to
 * bound their score (`SubtreeBounds`). A search walks the tree left to right and skips a subtree
 * when one of those necessary conditions fails or when the scorer's bound cannot beat the best
 * agent found so far; at the leaves the full filter chain runs. The result is therefore exactly
 * the agent a full scan with the same filters and scorer would choose (highest score, ties to the
 * lowest agent id), which `test/core/placement/index.test.ts` checks against `selectByScan`.
 */
export class PlacementIndex {
  #agents: PlacementAgent[] = [];
  #slots = new Map<string, number>();
  #byId = new Map<string, PlacementAgent>();
  #byNodename = new Map<string, number[]>();
  #nodetypeBits = new Map<string, number>();
  #dirty = false;
  #size = 1;
  #maxCpus = new Float64Array(2);
  #maxMem = new Float64Array(2);
  #maxDisk = new Float64Array(2);
  #maxFree = new Float64Array(2);
  #minFree = new Float64Array(2);
  #minCapCpus = new Float64Array(2);
  #minCapMem = new Float64Array(2);
  #mask = new Int32Array(2);
  #stack = new Int32Array(128);
  #bounds: SubtreeBounds = { maxFreeFraction: 0, minFreeFraction: 0, minCapacityCpus: 0, minCapacityMem: 0 };

  get size(): number {
    return this.#byId.size;
  }

  has(agentId: string): boolean {
    return this.#byId.has(agentId);
  }

  get(agentId: string): PlacementAgent | undefined {
    return this.#byId.get(agentId);
  }

  /** Adds an agent; the tree is rebuilt lazily before the next search. */
  add(agent: PlacementAgent): void {
    if (this.#byId.has(agent.id)) return;
    this.#byId.set(agent.id, agent);
    this.#dirty = true;
  }

  remove(agentId: string): void {
    if (!this.#byId.delete(agentId)) return;
    this.#dirty = true;
  }

  /** Re-reads one agent's free resources, offer count and held flag: O(log n). */
  update(agentId: string): void {
    if (this.#dirty) return;
    const slot = this.#slots.get(agentId);
    if (slot === undefined) return;
    const leaf = slot + this.#size;
    this.#setLeaf(leaf, this.#agents[slot]);
    for (let i = leaf >> 1; i >= 1; i >>= 1) this.#combine(i);
  }

  /** Every agent, in agent-id order. */
  agents(): readonly PlacementAgent[] {
    this.#ensureBuilt();
    return this.#agents;
  }

  /**
   * The agent that passes every filter with the highest score (ties: lowest agent id), or
   * undefined when none does.
   */
  best(
    ctx: PlacementContext,
    task: PlacementTask,
    filters: readonly FilterPlugin[],
    scorer: ScorerPlugin,
  ): PlacementAgent | undefined {
    this.#ensureBuilt();
    if (task.pinnedAgentId !== undefined) {
      const agent = this.#byId.get(task.pinnedAgentId);
      return agent && passes(ctx, task, agent, filters) ? agent : undefined;
    }
    if (task.spec.nodename !== undefined) {
      return this.#bestAmong(ctx, task, filters, scorer, this.#byNodename.get(task.spec.nodename) ?? []);
    }
    const needC = task.need.cpus;
    const needM = task.need.mem;
    const needD = task.need.disk;
    const want = this.#taskMask(task);
    const bound = scorer.bound;
    const view = this.#bounds;
    const stack = this.#stack;
    const size = this.#size;
    let sp = 0;
    stack[sp++] = 1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestAgent: PlacementAgent | undefined;
    while (sp > 0) {
      const node = stack[--sp] as number;
      if (
        (this.#maxCpus[node] as number) < needC ||
        (this.#maxMem[node] as number) < needM ||
        (this.#maxDisk[node] as number) < needD ||
        ((this.#mask[node] as number) & want) === 0
      ) {
        continue;
      }
      if (bound !== undefined) {
        view.maxFreeFraction = this.#maxFree[node] as number;
        view.minFreeFraction = this.#minFree[node] as number;
        view.minCapacityCpus = this.#minCapCpus[node] as number;
        view.minCapacityMem = this.#minCapMem[node] as number;
        if (bound(task, view) <= bestScore) continue;
      }
      if (node >= size) {
        const agent = this.#agents[node - size];
        if (agent === undefined || !passes(ctx, task, agent, filters)) continue;
        const score = scorer.score(task, agent);
        if (score > bestScore) {
          bestScore = score;
          bestAgent = agent;
        }
      } else {
        stack[sp++] = 2 * node + 1;
        stack[sp++] = 2 * node;
      }
    }
    return bestAgent;
  }

  #bestAmong(
    ctx: PlacementContext,
    task: PlacementTask,
    filters: readonly FilterPlugin[],
    scorer: ScorerPlugin,
    slots: readonly number[],
  ): PlacementAgent | undefined {
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestAgent: PlacementAgent | undefined;
    for (const slot of slots) {
      const agent = this.#agents[slot];
      if (agent === undefined || !passes(ctx, task, agent, filters)) continue;
      const score = scorer.score(task, agent);
      if (score > bestScore) {
        bestScore = score;
        bestAgent = agent;
      }
    }
    return bestAgent;
  }

  #taskMask(task: PlacementTask): number {
    const type = task.spec.nodetype;
    if (type === undefined) return -1;
    return this.#nodetypeBits.get(type) ?? OVERFLOW_BIT;
  }

  #ensureBuilt(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const agents = [...this.#byId.values()].sort((a, b) => compareAgentIds(a.id, b.id));
    this.#agents = agents;
    this.#slots = new Map(agents.map((a, i) => [a.id, i]));
    this.#byNodename = new Map();
    this.#nodetypeBits = new Map();
    agents.forEach((a, i) => {
      const name = a.attributes.nodename;
      if (name !== undefined) {
        const list = this.#byNodename.get(name);
        if (list) list.push(i);
        else this.#byNodename.set(name, [i]);
      }
      const type = a.attributes.nodetype;
      if (
        type !== undefined &&
        !this.#nodetypeBits.has(type) &&
        this.#nodetypeBits.size < MAX_NODETYPE_BITS
      ) {
        this.#nodetypeBits.set(type, 1 << this.#nodetypeBits.size);
      }
    });
    let size = 1;
    while (size < agents.length) size *= 2;
    this.#size = size;
    this.#maxCpus = new Float64Array(2 * size);
    this.#maxMem = new Float64Array(2 * size);
    this.#maxDisk = new Float64Array(2 * size);
    this.#maxFree = new Float64Array(2 * size);
    this.#minFree = new Float64Array(2 * size);
    this.#minCapCpus = new Float64Array(2 * size);
    this.#minCapMem = new Float64Array(2 * size);
    this.#mask = new Int32Array(2 * size);
    for (let i = 0; i < size; i++) this.#setLeaf(size + i, agents[i]);
    for (let i = size - 1; i >= 1; i--) this.#combine(i);
  }

  #setLeaf(leaf: number, agent: PlacementAgent | undefined): void {
    if (agent === undefined || agent.held || agent.offerCount === 0) {
      this.#maxCpus[leaf] = -1;
      this.#maxMem[leaf] = -1;
      this.#maxDisk[leaf] = -1;
      this.#maxFree[leaf] = Number.NEGATIVE_INFINITY;
      this.#minFree[leaf] = Number.POSITIVE_INFINITY;
      this.#minCapCpus[leaf] = Number.POSITIVE_INFINITY;
      this.#minCapMem[leaf] = Number.POSITIVE_INFINITY;
      this.#mask[leaf] = 0;
      return;
    }
    const { free, capacity } = agent;
    const fraction = (free.cpus / capacity.cpus + free.mem / capacity.mem) / 2;
    this.#maxCpus[leaf] = free.cpus;
    this.#maxMem[leaf] = free.mem;
    this.#maxDisk[leaf] = free.disk;
    this.#maxFree[leaf] = fraction;
    this.#minFree[leaf] = fraction;
    this.#minCapCpus[leaf] = capacity.cpus;
    this.#minCapMem[leaf] = capacity.mem;
    const type = agent.attributes.nodetype;
    this.#mask[leaf] = type === undefined ? NO_NODETYPE_BIT : (this.#nodetypeBits.get(type) ?? OVERFLOW_BIT);
  }

  #combine(i: number): void {
    const l = 2 * i;
    const r = l + 1;
    this.#maxCpus[i] = Math.max(this.#maxCpus[l] as number, this.#maxCpus[r] as number);
    this.#maxMem[i] = Math.max(this.#maxMem[l] as number, this.#maxMem[r] as number);
    this.#maxDisk[i] = Math.max(this.#maxDisk[l] as number, this.#maxDisk[r] as number);
    this.#maxFree[i] = Math.max(this.#maxFree[l] as number, this.#maxFree[r] as number);
    this.#minFree[i] = Math.min(this.#minFree[l] as number, this.#minFree[r] as number);
    this.#minCapCpus[i] = Math.min(this.#minCapCpus[l] as number, this.#minCapCpus[r] as number);
    this.#minCapMem[i] = Math.min(this.#minCapMem[l] as number, this.#minCapMem[r] as number);
    this.#mask[i] = (this.#mask[l] as number) | (this.#mask[r] as number);
  }
}

/** True when every filter lets the agent through. */
export function passes(
  ctx: PlacementContext,
  task: PlacementTask,
  agent: PlacementAgent,
  filters: readonly FilterPlugin[],
): boolean {
  for (const f of filters) {
    if (f.filter(ctx, task, agent) !== undefined) return false;
  }
  return true;
}
