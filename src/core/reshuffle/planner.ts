import {
  addRanges,
  cloneResources,
  type Resources,
  round3,
  type Scalars,
  subtractRanges,
} from '../model/resources.ts';
import { agentVerdict, type Pipeline } from '../placement/pipeline.ts';
import type { PlacementAgent, PlacementContext, PlacementTask } from '../placement/plugin.ts';
import type { ReasonCode } from '../placement/reasons.ts';
import type { TaskSpec } from '../spec/task-spec.ts';

/**
 * Reshuffle as a plan. Strategies propose moves; every destination is checked with the real
 * placement filters against a what-if copy of the cluster in which earlier moves of the same plan
 * have already happened; budgets cap how much moves at once; the plan says what it expects to
 * gain before anything is killed. Pure: the scheduler applies a plan wave by wave.
 */

/** A running task as the planner sees it. */
export interface PlanTask {
  readonly id: string;
  readonly specId: string;
  readonly spec: TaskSpec;
  readonly agentId: string;
  /** What it holds now. */
  readonly need: Resources;
  /** What it would ask for if resubmitted now (right-sized by intelligence; `need.mem` when unknown). */
  readonly sizedMem: number;
  /** Its observed peak memory, when metered. */
  readonly observedMem?: number;
}

/** An agent as the planner sees it. */
export interface PlanAgent {
  readonly id: string;
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly capacity: Scalars;
  /** Free now: capacity minus what offerlab's live tasks hold (port ranges as last offered). */
  readonly free: Resources;
  readonly held: boolean;
  /** When it was first seen (rebalance moves work onto the newest agents). */
  readonly firstSeenAt: number;
}

export type StrategyName = 'charmander' | 'right-size' | 'consolidate' | 'rebalance' | 'planned';
/**
 * `planned` is offerlab's default: consolidate where that costs no extra kill (empty whole agents
 * whose tasks all shrink, moving them at their right size), then right-size in place whatever did
 * not move. It never kills a task that would not shrink.
 */
export const STRATEGIES: readonly StrategyName[] = [
  'charmander',
  'right-size',
  'consolidate',
  'rebalance',
  'planned',
];

export interface Budgets {
  /** Moves in flight at once (one wave). */
  readonly maxConcurrentMoves: number;
  /** Running copies a family (spec id) keeps during the reshuffle, when it has that many. */
  readonly minRunningPerFamily: number;
}

export const DEFAULT_BUDGETS: Budgets = { maxConcurrentMoves: 5, minRunningPerFamily: 1 };

/**
 * One move. `reserve-first`: the replacement is placed on `to` and runs before the old copy is
 * killed. `kill-first`: the old copy is killed first — only where two copies may not coexist
 * (a singleton) or where the replacement takes the old copy's place on the same agent and both
 * would not fit together.
 */
export interface Move {
  readonly task: string;
  readonly specId: string;
  readonly from: string;
  readonly to: string;
  readonly mem: number;
  readonly order: 'reserve-first' | 'kill-first';
}

export interface PlanSkip {
  readonly task: string;
  readonly reason: ReasonCode | 'Budget' | 'NoGain' | 'AgentNotEmptied';
}

export interface Plan {
  readonly strategy: StrategyName;
  readonly moves: readonly Move[];
  /** Moves grouped into waves of at most `maxConcurrentMoves`, respecting family budgets. */
  readonly waves: readonly (readonly Move[])[];
  readonly skipped: readonly PlanSkip[];
  readonly expected: {
    /** Memory held by offerlab's tasks before and after (MB). */
    readonly allocatedMemBefore: number;
    readonly allocatedMemAfter: number;
    /** Unallocated memory on agents that are not held, before and after (MB). */
    readonly freeMemBefore: number;
    readonly freeMemAfter: number;
    /** Agents left without any movable task (only one-per-node copies, if any). */
    readonly agentsEmptied: readonly string[];
    readonly kills: number;
  };
}

/** What the planner is given: running tasks, agents, the placement pipeline. */
export interface PlanInput {
  readonly tasks: readonly PlanTask[];
  readonly agents: readonly PlanAgent[];
  readonly pipeline: Pipeline;
  readonly budgets?: Budgets;
}

/** A task may move when it is marked reshuffleable and is not a one-per-node copy. */
export function movable(task: PlanTask): boolean {
  return task.spec.reshuffleable === true && task.spec.sla !== 'one-per-node';
}

/** The what-if cluster: agents' free resources and who runs where, updated as moves are planned. */
class WhatIf {
  readonly agents = new Map<string, PlanAgent & { free: Resources }>();
  /** task id → agent id, for every copy that will be live (old copies that stay, new copies). */
  readonly where = new Map<string, { agentId: string; specId: string; sla?: string }>();

  constructor(input: PlanInput) {
    for (const a of input.agents) this.agents.set(a.id, { ...a, free: cloneResources(a.free) });
    for (const t of input.tasks)
      this.where.set(t.id, { agentId: t.agentId, specId: t.specId, ...sla(t.spec) });
  }

  context(): PlacementContext {
    return {
      now: 0,
      paused: false,
      subscribed: true,
      liveCopiesOnAgent: (specId, agentId) => {
        let n = 0;
        for (const w of this.where.values()) if (w.specId === specId && w.agentId === agentId) n++;
        return n;
      },
      liveSingletonCopy: (specId, taskId) => {
        for (const [id, w] of this.where) {
          if (id !== taskId && w.specId === specId) return { taskId: id, agentId: w.agentId };
        }
        return undefined;
      },
    };
  }

  placementAgent(id: string): PlacementAgent | undefined {
    const a = this.agents.get(id);
    if (!a) return undefined;
    return {
      id: a.id,
      hostname: a.hostname,
      attributes: a.attributes,
      free: a.free,
      capacity: a.capacity,
      held: a.held,
      offerCount: 1,
    };
  }

  release(agentId: string, need: Resources): void {
    const a = this.agents.get(agentId);
    if (!a) return;
    a.free.cpus = round3(a.free.cpus + need.cpus);
    a.free.mem = round3(a.free.mem + need.mem);
    a.free.disk = round3(a.free.disk + need.disk);
    a.free.ports = addRanges(a.free.ports, need.ports);
  }

  reserve(agentId: string, need: Resources): void {
    const a = this.agents.get(agentId);
    if (!a) return;
    a.free.cpus = round3(a.free.cpus - need.cpus);
    a.free.mem = round3(a.free.mem - need.mem);
    a.free.disk = round3(a.free.disk - need.disk);
    a.free.ports = subtractRanges(a.free.ports, need.ports);
  }
}

function sla(spec: TaskSpec): { sla?: string } {
  return spec.sla === undefined ? {} : { sla: spec.sla };
}

function sized(task: PlanTask): Resources {
  return { ...task.need, mem: task.sizedMem };
}

/** The replacement as placement sees it: a fresh copy of the spec, with its new size. */
function replacement(task: PlanTask): PlacementTask {
  return { id: `${task.id}~plan`, spec: task.spec, need: sized(task), notBefore: 0 };
}

/**
 * Tries to move `task` to `agentId` in the what-if cluster: validates the destination with the
 * pipeline's filters (the replacement beside the old copy when it is reserved first), and on
 * success applies the move. Returns the move, or the filter's reason.
 */
function tryMove(w: WhatIf, pipeline: Pipeline, task: PlanTask, agentId: string): Move | ReasonCode {
  const ctx = w.context();
  const newCopy = replacement(task);
  const singleton = task.spec.sla === 'singleton';
  const inPlace = agentId === task.agentId;
  // Reserve first: check the destination with the old copy still there.
  if (!singleton) {
    const dest = w.placementAgent(agentId);
    if (!dest) return 'PinnedToOtherAgent';
    const verdict = agentVerdict(ctx, newCopy, dest, pipeline.filters);
    if (verdict === undefined) {
      commit(w, task, agentId);
      return moveOf(task, agentId, 'reserve-first');
    }
    if (!inPlace) return verdict;
  }
  // Kill first: the old copy's resources are free when the new one is placed.
  w.release(task.agentId, task.need);
  w.where.delete(task.id);
  const dest = w.placementAgent(agentId);
  const verdict = dest ? agentVerdict(w.context(), newCopy, dest, pipeline.filters) : 'PinnedToOtherAgent';
  if (verdict !== undefined) {
    w.reserve(task.agentId, task.need);
    w.where.set(task.id, { agentId: task.agentId, specId: task.specId, ...sla(task.spec) });
    return verdict;
  }
  w.reserve(agentId, sized(task));
  w.where.set(newCopy.id, { agentId, specId: task.specId, ...sla(task.spec) });
  return moveOf(task, agentId, 'kill-first');
}

function moveOf(task: PlanTask, to: string, order: Move['order']): Move {
  return { task: task.id, specId: task.specId, from: task.agentId, to, mem: task.sizedMem, order };
}

/** Applies a reserve-first move: the new copy on `to`, the old copy gone from `from`. */
function commit(w: WhatIf, task: PlanTask, to: string): void {
  w.reserve(to, sized(task));
  w.release(task.agentId, task.need);
  w.where.delete(task.id);
  w.where.set(`${task.id}~plan`, { agentId: to, specId: task.specId, ...sla(task.spec) });
}

/** Allocated-memory fraction of an agent (for consolidate and rebalance orders). */
function load(a: PlanAgent & { free: Resources }): number {
  return a.capacity.mem > 0 ? (a.capacity.mem - a.free.mem) / a.capacity.mem : 1;
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Right-size: every movable task whose sized memory is smaller is relaunched in place at that size. */
function rightSize(
  input: PlanInput,
  w: WhatIf,
  moves: Move[],
  skipped: PlanSkip[],
  exclude: ReadonlySet<string> = new Set(),
): void {
  for (const task of [...input.tasks].filter((t) => movable(t) && !exclude.has(t.id)).sort(byId)) {
    if (task.sizedMem >= task.need.mem) {
      skipped.push({ task: task.id, reason: 'NoGain' });
      continue;
    }
    const m = tryMove(w, input.pipeline, task, task.agentId);
    if (typeof m === 'string') skipped.push({ task: task.id, reason: m });
    else moves.push(m);
  }
}

/**
 * Consolidate: empty the least-loaded agents whose every movable task fits elsewhere (fullest
 * destinations first, so the rest stays packed); an agent is only touched if it can be emptied.
 */
function consolidate(
  input: PlanInput,
  w: WhatIf,
  moves: Move[],
  skipped: PlanSkip[],
  onlyShrinking = false,
): void {
  const bySource = new Map<string, PlanTask[]>();
  for (const t of input.tasks) {
    if (!movable(t)) continue;
    const list = bySource.get(t.agentId) ?? [];
    list.push(t);
    bySource.set(t.agentId, list);
  }
  const emptied = new Set<string>();
  const sources = [...w.agents.values()]
    .filter((a) => (bySource.get(a.id)?.length ?? 0) > 0)
    .sort((a, b) => load(a) - load(b) || byId(a, b));
  for (const source of sources) {
    const tasks = (bySource.get(source.id) ?? []).sort((a, b) => b.sizedMem - a.sizedMem || byId(a, b));
    // Planned reshuffles empty an agent only with tasks that are restarted to shrink anyway, so
    // consolidating costs no kill that right-sizing would not.
    if (onlyShrinking && tasks.some((t) => t.sizedMem >= t.need.mem)) continue;
    const snapshot = saveWhatIf(w);
    const planned: Move[] = [];
    let ok = true;
    for (const task of tasks) {
      const destinations = [...w.agents.values()]
        .filter((a) => a.id !== source.id && !emptied.has(a.id) && !a.held)
        .sort((a, b) => load(b) - load(a) || byId(a, b));
      let placed: Move | undefined;
      for (const d of destinations) {
        const m = tryMove(w, input.pipeline, task, d.id);
        if (typeof m !== 'string') {
          placed = m;
          break;
        }
      }
      if (!placed) {
        ok = false;
        break;
      }
      planned.push(placed);
    }
    if (ok) {
      moves.push(...planned);
      emptied.add(source.id);
    } else {
      restoreWhatIf(w, snapshot);
      for (const t of tasks) skipped.push({ task: t.id, reason: 'AgentNotEmptied' });
    }
  }
}

/**
 * Rebalance: move work from the most loaded agents onto the newest ones while that narrows the
 * gap between them (a move must leave the destination less loaded than the source was).
 */
function rebalance(input: PlanInput, w: WhatIf, moves: Move[], skipped: PlanSkip[]): void {
  const newest = Math.max(...input.agents.map((a) => a.firstSeenAt));
  const targets = [...w.agents.values()].filter((a) => a.firstSeenAt === newest && !a.held).sort(byId);
  const moved = new Set<string>();
  for (;;) {
    const sources = [...w.agents.values()]
      .filter((a) => !targets.includes(a))
      .sort((a, b) => load(b) - load(a) || byId(a, b));
    let progress = false;
    for (const source of sources) {
      const tasks = input.tasks
        .filter((t) => movable(t) && t.agentId === source.id && !moved.has(t.id))
        .sort((a, b) => b.sizedMem - a.sizedMem || byId(a, b));
      for (const task of tasks) {
        const target = [...targets].sort((a, b) => load(a) - load(b) || byId(a, b))[0];
        if (!target) return;
        const after =
          (target.capacity.mem - target.free.mem + task.sizedMem) / Math.max(1, target.capacity.mem);
        if (after >= load(source)) continue;
        const m = tryMove(w, input.pipeline, task, target.id);
        moved.add(task.id);
        if (typeof m === 'string') skipped.push({ task: task.id, reason: m });
        else {
          moves.push(m);
          progress = true;
        }
        break;
      }
      if (progress) break;
    }
    if (!progress) return;
  }
}

function saveWhatIf(w: WhatIf): {
  free: Map<string, Resources>;
  where: Map<string, { agentId: string; specId: string; sla?: string }>;
} {
  return {
    free: new Map([...w.agents].map(([id, a]) => [id, cloneResources(a.free)])),
    where: new Map(w.where),
  };
}

function restoreWhatIf(w: WhatIf, s: ReturnType<typeof saveWhatIf>): void {
  for (const [id, free] of s.free) {
    const a = w.agents.get(id);
    if (a) a.free = free;
  }
  w.where.clear();
  for (const [k, v] of s.where) w.where.set(k, v);
}

/**
 * Groups moves into waves: at most `maxConcurrentMoves` per wave, and per family no more
 * kill-first moves in one wave than its running copies above `minRunningPerFamily` (reserve-first
 * moves never lower the running count). A move the budget can never allow is skipped.
 */
export function toWaves(
  moves: readonly Move[],
  running: ReadonlyMap<string, number>,
  budgets: Budgets,
): { waves: Move[][]; skipped: PlanSkip[] } {
  const waves: Move[][] = [];
  const skipped: PlanSkip[] = [];
  let pending = [...moves];
  const max = Math.max(1, Math.floor(budgets.maxConcurrentMoves));
  while (pending.length > 0) {
    const wave: Move[] = [];
    const disrupted = new Map<string, number>();
    const later: Move[] = [];
    for (const m of pending) {
      if (wave.length >= max) {
        later.push(m);
        continue;
      }
      if (m.order === 'kill-first') {
        const have = running.get(m.specId) ?? 0;
        const spare = have - Math.min(have, budgets.minRunningPerFamily);
        const used = disrupted.get(m.specId) ?? 0;
        if (spare <= 0 && have > 0 && budgets.minRunningPerFamily >= have) {
          skipped.push({ task: m.task, reason: 'Budget' });
          continue;
        }
        if (used >= Math.max(spare, 0) && used > 0) {
          later.push(m);
          continue;
        }
        disrupted.set(m.specId, used + 1);
      }
      wave.push(m);
    }
    if (wave.length === 0) {
      for (const m of later) skipped.push({ task: m.task, reason: 'Budget' });
      break;
    }
    waves.push(wave);
    pending = later;
  }
  return { waves, skipped };
}

/** Plans a reshuffle with one strategy. Deterministic: every order is total (load, then id). */
export function planReshuffle(input: PlanInput, strategy: StrategyName): Plan {
  const budgets = input.budgets ?? DEFAULT_BUDGETS;
  const w = new WhatIf(input);
  const moves: Move[] = [];
  const skipped: PlanSkip[] = [];
  const allocatedBefore = round3(input.tasks.reduce((s, t) => s + t.need.mem, 0));
  const freeBefore = round3(input.agents.filter((a) => !a.held).reduce((s, a) => s + a.free.mem, 0));
  switch (strategy) {
    case 'charmander':
      // Kill and resubmit every movable task; where each lands is up to placement afterwards.
      for (const t of [...input.tasks].filter(movable).sort(byId)) {
        moves.push({
          task: t.id,
          specId: t.specId,
          from: t.agentId,
          to: '',
          mem: t.sizedMem,
          order: 'kill-first',
        });
        w.release(t.agentId, t.need);
      }
      break;
    case 'right-size':
      rightSize(input, w, moves, skipped);
      break;
    case 'consolidate':
      consolidate(input, w, moves, skipped);
      break;
    case 'rebalance':
      rebalance(input, w, moves, skipped);
      break;
    case 'planned': {
      const consolidated: PlanSkip[] = [];
      consolidate(input, w, moves, consolidated, true);
      rightSize(input, w, moves, skipped, new Set(moves.map((m) => m.task)));
      break;
    }
  }
  const running = new Map<string, number>();
  for (const t of input.tasks) running.set(t.specId, (running.get(t.specId) ?? 0) + 1);
  const grouped =
    strategy === 'charmander'
      ? { waves: moves.length > 0 ? [moves] : [], skipped: [] }
      : toWaves(moves, running, budgets);
  const planned = new Map(grouped.waves.flat().map((m) => [m.task, m]));
  const allocatedAfter = round3(input.tasks.reduce((s, t) => s + (planned.get(t.id)?.mem ?? t.need.mem), 0));
  // Agents that keep (or receive) something other than one-per-node copies.
  const stillThere = new Set<string>();
  for (const t of input.tasks) {
    const m = planned.get(t.id);
    if (m === undefined && t.spec.sla !== 'one-per-node') stillThere.add(t.agentId);
    if (m !== undefined && m.to !== '') stillThere.add(m.to);
  }
  const emptied = input.agents
    .filter((a) => input.tasks.some((t) => t.agentId === a.id && movable(t)) && !stillThere.has(a.id))
    .map((a) => a.id)
    .sort();
  return {
    strategy,
    moves: grouped.waves.flat(),
    waves: grouped.waves,
    skipped: [...skipped, ...grouped.skipped],
    expected: {
      allocatedMemBefore: allocatedBefore,
      allocatedMemAfter: allocatedAfter,
      freeMemBefore: freeBefore,
      freeMemAfter: round3(freeBefore + allocatedBefore - allocatedAfter),
      agentsEmptied: strategy === 'charmander' ? [] : emptied,
      kills: grouped.waves.flat().length,
    },
  };
}
