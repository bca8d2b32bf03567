import type { Range } from '../mesos/v1.ts';
import { rangesInclude } from '../model/resources.ts';

/**
 * What a queue needs that the cluster cannot give: Dynamic Cluster's "proposed allocation", done
 * with offerlab's own constraints. Pure arithmetic over plain values, so it can be tested alone.
 */

/** Scalars a task asks for or a machine has room for. */
export interface Room {
  cpus: number;
  mem: number;
  disk: number;
}

/** A queued task, in queue order. */
export interface QueuedTask {
  readonly id: string;
  readonly need: Room;
  /** Host ports the task asks for (a new node must offer them). */
  readonly ports?: readonly Range[];
  readonly nodetype?: string;
  readonly nodename?: string;
}

/** Somewhere a task could run: a known agent, or a pool node on its way up. */
export interface Bin {
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Room left for offerlab's tasks. */
  readonly free: Room;
}

/** A pool that may grow: its node shape and how many more nodes it may get. */
export interface GrowablePool {
  readonly name: string;
  readonly node: Room;
  /** Port ranges each new node offers. */
  readonly ports?: readonly Range[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly room: number;
}

export interface Growth {
  readonly pool: string;
  /** New nodes to provision. */
  readonly nodes: number;
  /** The queued tasks they are for, in queue order. */
  readonly tasks: readonly string[];
  /** What those tasks ask for in all. */
  readonly need: Room;
}

const EPS = 1e-9;

function fitsIn(need: Room, free: Room): boolean {
  return need.cpus <= free.cpus + EPS && need.mem <= free.mem + EPS && need.disk <= free.disk + EPS;
}

function take(free: Room, need: Room): void {
  free.cpus -= need.cpus;
  free.mem -= need.mem;
  free.disk -= need.disk;
}

function admits(
  task: QueuedTask,
  hostname: string | undefined,
  attributes: Readonly<Record<string, string>>,
) {
  if (task.nodetype !== undefined && attributes.nodetype !== task.nodetype) return false;
  if (task.nodename !== undefined && hostname !== task.nodename) return false;
  return true;
}

/** The queued tasks, in order, that first fit over the bins (what exists and what is on its way) cannot place. */
export function unmetOnBins(queue: readonly QueuedTask[], bins: readonly Bin[]): QueuedTask[] {
  const free = bins.map((b) => ({ b, free: { ...b.free } }));
  const unmet: QueuedTask[] = [];
  // Bins only fill up, so for identical requests the first bin that fits never moves back: each
  // kind of request resumes where the last one of its kind stopped (a queue of thousands of alike
  // tasks costs one pass over the bins, not one per task).
  const resume = new Map<string, number>();
  for (const task of queue) {
    const kind = `${task.need.cpus}|${task.need.mem}|${task.need.disk}|${task.nodetype ?? ''}|${task.nodename ?? ''}`;
    let i = resume.get(kind) ?? 0;
    for (; i < free.length; i++) {
      const x = free[i] as (typeof free)[number];
      if (admits(task, x.b.hostname, x.b.attributes) && fitsIn(task.need, x.free)) break;
    }
    resume.set(kind, i);
    const bin = free[i];
    if (bin) take(bin.free, task.need);
    else unmet.push(task);
  }
  return unmet;
}

/**
 * Walks the queue in order, first-fit over the bins (what the cluster has, plus nodes already on
 * their way); the tasks left over are packed first-fit decreasing (biggest memory first, then
 * cpus, then queue order) into new nodes of the first pool (in the given order) whose node admits
 * them, never more nodes than a pool's `room`. Tasks no pool node can take (too big, a nodename, a
 * nodetype or host port no pool has) are `unplaceable`; those a pool could take but has no room
 * for are only counted in `unmet`.
 */
export function planGrowth(
  queue: readonly QueuedTask[],
  bins: readonly Bin[],
  pools: readonly GrowablePool[],
): { growth: Growth[]; unplaceable: string[]; unmet: number } {
  const unmet = unmetOnBins(queue, bins);
  const opened = new Map<
    string,
    { free: Room[]; tasks: string[]; need: Room; resume: Map<string, number> }
  >();
  const unplaceable: string[] = [];
  const order = new Map(unmet.map((t, i) => [t.id, i]));
  unmet.sort(
    (a, b) =>
      b.need.mem - a.need.mem || b.need.cpus - a.need.cpus || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
  );
  for (const task of unmet) {
    let placed = false;
    let admitted = false;
    for (const pool of pools) {
      if (!admits(task, undefined, pool.attributes) || !fitsIn(task.need, pool.node)) continue;
      // A host port the pool's nodes do not offer would leave the new node idle (and destroyed).
      if (task.ports && task.ports.length > 0 && !rangesInclude(pool.ports ?? [], task.ports)) continue;
      admitted = true;
      let p = opened.get(pool.name);
      if (!p) {
        p = { free: [], tasks: [], need: { cpus: 0, mem: 0, disk: 0 }, resume: new Map() };
        opened.set(pool.name, p);
      }
      // New nodes only fill up too: alike requests resume where the last one stopped.
      const kind = `${task.need.cpus}|${task.need.mem}|${task.need.disk}`;
      let i = p.resume.get(kind) ?? 0;
      while (i < p.free.length && !fitsIn(task.need, p.free[i] as Room)) i++;
      if (i === p.free.length && p.free.length < pool.room) p.free.push({ ...pool.node });
      p.resume.set(kind, i);
      const node = p.free[i];
      if (!node) continue;
      take(node, task.need);
      p.tasks.push(task.id);
      p.need.cpus += task.need.cpus;
      p.need.mem += task.need.mem;
      p.need.disk += task.need.disk;
      placed = true;
      break;
    }
    // Tasks some pool could take, had it room, are not unplaceable: they wait for room.
    if (!placed && !admitted) unplaceable.push(task.id);
  }
  const growth: Growth[] = [];
  for (const pool of pools) {
    const p = opened.get(pool.name);
    if (p && p.free.length > 0)
      growth.push({
        pool: pool.name,
        nodes: p.free.length,
        tasks: p.tasks.sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0)),
        need: roundRoom(p.need),
      });
  }
  return { growth, unplaceable, unmet: unmet.length };
}

function roundRoom(r: Room): Room {
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return { cpus: r3(r.cpus), mem: r3(r.mem), disk: r3(r.disk) };
}
