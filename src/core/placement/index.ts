import { compareAgentIds } from '../model/agent-order.ts';
import { observedFraction } from './observed.ts';
import type {
  FilterPlugin,
  PlacementAgent,
  PlacementContext,
  PlacementTask,
  ScorerPlugin,
  SubtreeBounds,
} from './plugin.ts';
import { freeFraction } from './scorers/free-fraction.ts';

const NO_NODETYPE_BIT = 1 << 31;
/**
 * Cpu thresholds for the joint cpu/mem condition: per subtree the index keeps, for each
 * threshold, the most free mem among agents with at least that many free cpus. A subtree whose
 * max free cpus and max free mem sit on different (fragmented) agents is then skipped.
 */
const CPU_STEPS = [0.1, 0.2, 0.5, 1, 2, 4, 8, 16];
const STEPS = CPU_STEPS.length;

/** Index of the largest cpu step not above `cpus`, or -1. */
function stepFor(cpus: number): number {
  let k = -1;
  while (k + 1 < STEPS && (CPU_STEPS[k + 1] as number) <= cpus) k++;
  return k;
}
const OVERFLOW_BIT = 1 << 30;
const MAX_NODETYPE_BITS = 30;

/**
 * A segment tree over the known agents, in agent-id order, that finds the agent a scorer ranks
 * best without scanning every agent.
 *
 * Each tree node keeps, for the agents below it that have an offer and are not held: the max free
 * cpus, mem and disk, a bit mask of their `nodetype` values, and the aggregates scorers use to
 * bound their score and filters use to exclude a subtree (`SubtreeBounds`; the observed-memory
 * ones only once a usage-aware search needs them). A search skips a subtree when one of those
 * necessary conditions fails, when a filter's `excludes` rules it out, or when the scorer's bound
 * cannot beat the best agent found so far; at the leaves the full filter chain runs. The result
 * is therefore exactly the agent a full scan with the same filters and scorer would choose
 * (highest score, ties to the lowest agent id), which `test/core/placement/index.test.ts` checks
 * against `selectByScan`.
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
  #maxCapCpus = new Float64Array(2);
  #maxCapMem = new Float64Array(2);
  #maxObserved = new Float64Array(2);
  #minObserved = new Float64Array(2);
  #memAtCpus = new Float64Array(2 * STEPS);
  /** Per cpu threshold, the max and min observed-memory fraction among agents with that many cpus free. */
  #maxObservedAtCpus = new Float64Array(2 * STEPS);
  #minObservedAtCpus = new Float64Array(2 * STEPS);
  /** The cpu threshold of the task being searched for (-1: none), for `#boundsOf`. */
  #step = -1;
  /** The aggregates combined with max, and those combined with min. */
  #maxArrays: Float64Array[] = [];
  #minArrays: Float64Array[] = [];
  #mask = new Int32Array(2);
  #stack = new Int32Array(128);
  #bounds: SubtreeBounds = {
    maxFreeFraction: 0,
    minFreeFraction: 0,
    minCapacityCpus: 0,
    minCapacityMem: 0,
    maxCapacityCpus: 0,
    maxCapacityMem: 0,
    // Until the observed aggregates are kept: values that prune nothing.
    maxObservedFraction: Number.POSITIVE_INFINITY,
    minObservedFraction: Number.NEGATIVE_INFINITY,
    maxObservedFractionWithCpus: Number.POSITIVE_INFINITY,
    minObservedFractionWithCpus: Number.NEGATIVE_INFINITY,
  };
  /** The filters of the last search that can exclude a subtree (pipelines are long-lived). */
  #excludersOf: readonly FilterPlugin[] | undefined;
  #excluders: readonly FilterPlugin[] = [];
  #filtersNeedObserved = false;
  /**
   * Whether the observed-memory aggregates are kept. They cost every update, so the index only
   * keeps them from the first search whose scorer or filters declare `observedBounds`.
   */
  #observed = false;

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

  /** Re-reads one agent's free resources, offer count, held flag and observed memory: O(log n). */
  update(agentId: string): void {
    if (this.#dirty) return;
    const slot = this.#slots.get(agentId);
    if (slot === undefined) return;
    const leaf = slot + this.#size;
    this.#setLeaf(leaf, this.#agents[slot]);
    for (let i = leaf >> 1; i >= 1; i >>= 1) {
      if (!this.#combine(i)) break;
    }
  }

  /**
   * False when no agent holds an offer with memory free: no task (every task asks for memory)
   * can be placed until offers arrive. Lets a placement cycle stop instead of trying the rest
   * of a long queue against nothing.
   */
  hasRoom(): boolean {
    this.#ensureBuilt();
    return this.#size > 0 && (this.#maxMem[1] as number) > 0;
  }

  /** Every agent, in agent-id order. */
  agents(): readonly PlacementAgent[] {
    this.#ensureBuilt();
    return this.#agents;
  }

  /**
   * The agent that passes every filter with the highest score (ties: lowest agent id), or
   * undefined when none does.
   *
   * Best-first branch and bound: of two children the one with the higher bound is searched
   * first (the left one on equal bounds); a subtree is skipped when a necessary condition fails
   * or when its bound cannot beat the best agent so far, counting the tie-break (an equal score
   * only wins from an agent further left).
   */
  best(
    ctx: PlacementContext,
    task: PlacementTask,
    filters: readonly FilterPlugin[],
    scorer: ScorerPlugin,
  ): PlacementAgent | undefined {
    const excluders = this.#excludersFor(filters);
    if (!this.#observed && (scorer.observedBounds === true || this.#filtersNeedObserved)) {
      this.#observed = true;
      this.#dirty = true;
    }
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
    const maxCpus = this.#maxCpus;
    const maxMem = this.#maxMem;
    const maxDisk = this.#maxDisk;
    const mask = this.#mask;
    const memAt = this.#memAtCpus;
    const step = stepFor(needC);
    this.#step = step;
    const agents = this.#agents;
    const size = this.#size;
    const stack = this.#stack;
    const constant = scorer.constant === true;
    const bound = constant ? undefined : scorer.bound;
    let sp = 0;
    stack[sp++] = 1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let bestSlot = Number.MAX_SAFE_INTEGER;
    let bestAgent: PlacementAgent | undefined;
    while (sp > 0) {
      const node = stack[--sp] as number;
      if (
        (maxCpus[node] as number) < needC ||
        (maxMem[node] as number) < needM ||
        (maxDisk[node] as number) < needD ||
        ((mask[node] as number) & want) === 0 ||
        (step >= 0 && (memAt[node * STEPS + step] as number) < needM)
      ) {
        continue;
      }
      if (node >= size) {
        const slot = node - size;
        const agent = agents[slot];
        if (agent === undefined || !passes(ctx, task, agent, filters)) continue;
        if (constant) return agent;
        const score = scorer.score(task, agent, ctx);
        if (score > bestScore || (score === bestScore && slot < bestSlot)) {
          bestScore = score;
          bestSlot = slot;
          bestAgent = agent;
        }
        continue;
      }
      if (excluders.length > 0 && this.#excluded(ctx, task, excluders, node)) continue;
      const left = 2 * node;
      const right = left + 1;
      if (bound === undefined) {
        stack[sp++] = right;
        stack[sp++] = left;
        continue;
      }
      const bl = bound(task, this.#boundsOf(left), ctx);
      const br = bound(task, this.#boundsOf(right), ctx);
      const keepLeft = bl > bestScore || (bl === bestScore && this.#firstSlot(left) < bestSlot);
      const keepRight = br > bestScore || (br === bestScore && this.#firstSlot(right) < bestSlot);
      if (keepLeft && keepRight) {
        if (br > bl) {
          stack[sp++] = left;
          stack[sp++] = right;
        } else {
          stack[sp++] = right;
          stack[sp++] = left;
        }
      } else if (keepLeft) {
        stack[sp++] = left;
      } else if (keepRight) {
        stack[sp++] = right;
      }
    }
    return bestAgent;
  }

  /** The aggregates of one tree node, in the reusable view handed to scorers. */
  #boundsOf(node: number): SubtreeBounds {
    const v = this.#bounds;
    v.maxFreeFraction = this.#maxFree[node] as number;
    v.minFreeFraction = this.#minFree[node] as number;
    v.minCapacityCpus = this.#minCapCpus[node] as number;
    v.minCapacityMem = this.#minCapMem[node] as number;
    v.maxCapacityCpus = this.#maxCapCpus[node] as number;
    v.maxCapacityMem = this.#maxCapMem[node] as number;
    if (!this.#observed) return v;
    v.maxObservedFraction = this.#maxObserved[node] as number;
    v.minObservedFraction = this.#minObserved[node] as number;
    const k = node * STEPS + this.#step;
    v.maxObservedFractionWithCpus =
      this.#step >= 0 ? (this.#maxObservedAtCpus[k] as number) : v.maxObservedFraction;
    v.minObservedFractionWithCpus =
      this.#step >= 0 ? (this.#minObservedAtCpus[k] as number) : v.minObservedFraction;
    return v;
  }

  /** The filters that can exclude a subtree, worked out once per pipeline. */
  #excludersFor(filters: readonly FilterPlugin[]): readonly FilterPlugin[] {
    if (this.#excludersOf !== filters) {
      this.#excludersOf = filters;
      this.#excluders = filters.filter((f) => f.excludes !== undefined);
      this.#filtersNeedObserved = filters.some((f) => f.observedBounds === true);
    }
    return this.#excluders;
  }

  /** True when one of the filters rules out every agent under a tree node. */
  #excluded(
    ctx: PlacementContext,
    task: PlacementTask,
    excluders: readonly FilterPlugin[],
    node: number,
  ): boolean {
    const bounds = this.#boundsOf(node);
    for (const f of excluders) {
      if (f.excludes?.(ctx, task, bounds) === true) return true;
    }
    return false;
  }

  /** The first leaf slot under a tree node. */
  #firstSlot(node: number): number {
    const depth = 31 - Math.clz32(node);
    return (node - (1 << depth)) * (this.#size >> depth);
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
      const score = scorer.score(task, agent, ctx);
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
    this.#maxCapCpus = new Float64Array(2 * size);
    this.#maxCapMem = new Float64Array(2 * size);
    const observed = this.#observed ? 2 * size : 0;
    this.#maxObserved = new Float64Array(observed);
    this.#minObserved = new Float64Array(observed);
    this.#memAtCpus = new Float64Array(2 * size * STEPS);
    this.#maxObservedAtCpus = new Float64Array(observed * STEPS);
    this.#minObservedAtCpus = new Float64Array(observed * STEPS);
    this.#mask = new Int32Array(2 * size);
    this.#maxArrays = [
      this.#maxCpus,
      this.#maxMem,
      this.#maxDisk,
      this.#maxFree,
      this.#maxCapCpus,
      this.#maxCapMem,
    ];
    this.#minArrays = [this.#minFree, this.#minCapCpus, this.#minCapMem];
    for (let i = 0; i < size; i++) this.#setLeaf(size + i, agents[i]);
    for (let i = size - 1; i >= 1; i--) this.#combine(i);
  }

  #setLeaf(leaf: number, agent: PlacementAgent | undefined): void {
    // An agent with no cpus or no memory at all cannot take any valid task (both must be > 0);
    // keeping it out also keeps 0/0 fractions out of the score aggregates.
    if (
      agent === undefined ||
      agent.held ||
      agent.offerCount === 0 ||
      !(agent.capacity.cpus > 0 && agent.capacity.mem > 0)
    ) {
      this.#maxCpus[leaf] = -1;
      this.#maxMem[leaf] = -1;
      this.#maxDisk[leaf] = -1;
      this.#maxFree[leaf] = Number.NEGATIVE_INFINITY;
      this.#minFree[leaf] = Number.POSITIVE_INFINITY;
      this.#minCapCpus[leaf] = Number.POSITIVE_INFINITY;
      this.#minCapMem[leaf] = Number.POSITIVE_INFINITY;
      this.#maxCapCpus[leaf] = 0;
      this.#maxCapMem[leaf] = 0;
      this.#memAtCpus.fill(-1, leaf * STEPS, leaf * STEPS + STEPS);
      if (this.#observed) {
        this.#maxObserved[leaf] = Number.NEGATIVE_INFINITY;
        this.#minObserved[leaf] = Number.POSITIVE_INFINITY;
        this.#maxObservedAtCpus.fill(Number.NEGATIVE_INFINITY, leaf * STEPS, leaf * STEPS + STEPS);
        this.#minObservedAtCpus.fill(Number.POSITIVE_INFINITY, leaf * STEPS, leaf * STEPS + STEPS);
      }
      this.#mask[leaf] = 0;
      return;
    }
    const { free, capacity } = agent;
    const fraction = freeFraction(free, capacity);
    this.#maxCpus[leaf] = free.cpus;
    this.#maxMem[leaf] = free.mem;
    this.#maxDisk[leaf] = free.disk;
    this.#maxFree[leaf] = fraction;
    this.#minFree[leaf] = fraction;
    this.#minCapCpus[leaf] = capacity.cpus;
    this.#minCapMem[leaf] = capacity.mem;
    this.#maxCapCpus[leaf] = capacity.cpus;
    this.#maxCapMem[leaf] = capacity.mem;
    for (let k = 0; k < STEPS; k++)
      this.#memAtCpus[leaf * STEPS + k] = free.cpus >= (CPU_STEPS[k] as number) ? free.mem : -1;
    if (this.#observed) {
      const observed = observedFraction(agent);
      this.#maxObserved[leaf] = observed;
      this.#minObserved[leaf] = observed;
      for (let k = 0; k < STEPS; k++) {
        const enough = free.cpus >= (CPU_STEPS[k] as number);
        this.#maxObservedAtCpus[leaf * STEPS + k] = enough ? observed : Number.NEGATIVE_INFINITY;
        this.#minObservedAtCpus[leaf * STEPS + k] = enough ? observed : Number.POSITIVE_INFINITY;
      }
    }
    const type = agent.attributes.nodetype;
    this.#mask[leaf] = type === undefined ? NO_NODETYPE_BIT : (this.#nodetypeBits.get(type) ?? OVERFLOW_BIT);
  }

  /** Recomputes one node from its children; false when nothing changed (ancestors are then current). */
  #combine(i: number): boolean {
    const l = 2 * i;
    const r = l + 1;
    let changed = false;
    for (const a of this.#maxArrays) {
      const v = Math.max(a[l] as number, a[r] as number);
      if (a[i] !== v) {
        a[i] = v;
        changed = true;
      }
    }
    for (const a of this.#minArrays) {
      const v = Math.min(a[l] as number, a[r] as number);
      if (a[i] !== v) {
        a[i] = v;
        changed = true;
      }
    }
    const m = this.#memAtCpus;
    for (let k = 0; k < STEPS; k++) {
      const v = Math.max(m[l * STEPS + k] as number, m[r * STEPS + k] as number);
      if (m[i * STEPS + k] !== v) {
        m[i * STEPS + k] = v;
        changed = true;
      }
    }
    if (this.#observed && this.#combineObserved(i, l, r)) changed = true;
    const bits = (this.#mask[l] as number) | (this.#mask[r] as number);
    if (this.#mask[i] !== bits) {
      this.#mask[i] = bits;
      changed = true;
    }
    return changed;
  }

  /** The observed-memory part of `#combine`, kept apart so indexes without it pay nothing. */
  #combineObserved(i: number, l: number, r: number): boolean {
    let changed = false;
    const maxObserved = this.#maxObserved;
    const minObserved = this.#minObserved;
    const max = Math.max(maxObserved[l] as number, maxObserved[r] as number);
    if (maxObserved[i] !== max) {
      maxObserved[i] = max;
      changed = true;
    }
    const min = Math.min(minObserved[l] as number, minObserved[r] as number);
    if (minObserved[i] !== min) {
      minObserved[i] = min;
      changed = true;
    }
    const maxAt = this.#maxObservedAtCpus;
    const minAt = this.#minObservedAtCpus;
    for (let k = 0; k < STEPS; k++) {
      const hi = Math.max(maxAt[l * STEPS + k] as number, maxAt[r * STEPS + k] as number);
      if (maxAt[i * STEPS + k] !== hi) {
        maxAt[i * STEPS + k] = hi;
        changed = true;
      }
      const lo = Math.min(minAt[l * STEPS + k] as number, minAt[r * STEPS + k] as number);
      if (minAt[i * STEPS + k] !== lo) {
        minAt[i * STEPS + k] = lo;
        changed = true;
      }
    }
    return changed;
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
