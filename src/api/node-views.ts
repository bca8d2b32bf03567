import { round3, type Scalars } from '../core/model/resources.ts';
import { WorkerNodeCode, type WorkerNodeCodeValue } from '../core/pools/types.ts';
import { agentWorkerCode } from '../core/scheduler/pools.ts';
import type { AgentRecord, SchedulerState } from '../core/scheduler/state.ts';
import type { Daemon } from '../daemon/daemon.ts';
import type { HubEvent } from '../daemon/event-hub.ts';
import { badRequest } from './errors.ts';

/*
 * What the Scale (`/nodes/`) and Dynamic Cluster (`/workernode`) APIs share: finding an agent,
 * turning the core's clock into wall-clock time, when each node last changed, and the strict
 * checks on query strings and bodies both APIs apply.
 */

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Wall-clock epoch milliseconds of a core time (milliseconds on the daemon's clock, which starts
 * at 0 when the daemon starts and may run faster than the wall clock against a fast fake master).
 */
export function wallTime(daemon: Daemon, t: number): number {
  return daemon.startedAt + t / daemon.speed;
}

/** ISO-8601 wall-clock time of a core time; null for times that never happened. */
export function isoTime(daemon: Daemon, t: number | undefined): string | null {
  if (t === undefined || !Number.isFinite(t)) return null;
  const date = new Date(wallTime(daemon, t));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Agents

/** An agent by its Mesos agent id or, for convenience, by its hostname. */
export function findAgent(state: SchedulerState, idOrHostname: string): AgentRecord | undefined {
  const byId = state.agents.get(idOrHostname);
  if (byId) return byId;
  const id = state.agentsByHostname.get(idOrHostname);
  return id === undefined ? undefined : state.agents.get(id);
}

/** An agent by hostname only (Dynamic Cluster names worker nodes by hostname). */
export function agentByHostname(state: SchedulerState, hostname: string): AgentRecord | undefined {
  const id = state.agentsByHostname.get(hostname);
  return id === undefined ? undefined : state.agents.get(id);
}

export function scalars(s: Scalars): Scalars {
  return { cpus: round3(s.cpus), mem: round3(s.mem), disk: round3(s.disk) };
}

export function sumScalars(items: Iterable<Scalars>): Scalars {
  const sum = { cpus: 0, mem: 0, disk: 0 };
  for (const s of items) {
    sum.cpus += s.cpus;
    sum.mem += s.mem;
    sum.disk += s.disk;
  }
  return scalars(sum);
}

export const ZERO: Readonly<Scalars> = Object.freeze({ cpus: 0, mem: 0, disk: 0 });

/** Dynamic Cluster's worker-node states (`dynamiccluster/data.py`), as the core keeps them. */
export { WorkerNodeCode as WorkerNodeState };
export type WorkerNodeStateCode = WorkerNodeCodeValue;
export const WORKER_NODE_STATE_NAMES = Object.keys(WorkerNodeCode);

/**
 * A known agent's Dynamic Cluster state: held with tasks → Holding, held and empty → Held, tasks
 * → Busy, else Idle. (Starting, Error and Deleting belong to machines a pool provisions.)
 */
export const workerNodeState = agentWorkerCode;

// ---------------------------------------------------------------------------------------------
// When nodes changed

/**
 * Watches the daemon's event stream for node changes: when each node entered its current
 * Dynamic Cluster state, and when its hold (Scale's pause) last changed. One per daemon, shared by
 * both APIs; what happened before it started is dated from when the agent was first seen.
 */
export class NodeTracker {
  readonly #daemon: Daemon;
  /** hostname → state and the core time it was entered. */
  readonly #states = new Map<string, { state: WorkerNodeStateCode; since: number }>();
  /** hostname → core time of the last hold change. */
  readonly #modified = new Map<string, number>();

  constructor(daemon: Daemon) {
    this.#daemon = daemon;
    for (const agent of daemon.state.agents.values())
      this.#states.set(agent.hostname, { state: workerNodeState(agent), since: agent.firstSeenAt });
    daemon.hub.subscribe((e) => this.#note(e));
  }

  /** Core time at which the agent entered its current Dynamic Cluster state. */
  stateSince(agent: AgentRecord): number {
    const known = this.#states.get(agent.hostname);
    return known !== undefined && known.state === workerNodeState(agent) ? known.since : agent.firstSeenAt;
  }

  /** Core time of the agent's last change: its last hold change, else when it was first seen. */
  lastModified(agent: AgentRecord): number {
    return Math.max(agent.firstSeenAt, this.#modified.get(agent.hostname) ?? agent.firstSeenAt);
  }

  // Records are published after the step that made them, so the state is already up to date.
  #note({ record, t }: HubEvent): void {
    const state = this.#daemon.state;
    switch (record.type) {
      case 'agent-held':
        this.#modified.set(record.hostname, t);
        this.#update(record.hostname, t);
        break;
      case 'agent-added':
      case 'task-launched':
        this.#update(record.hostname, t);
        break;
      case 'task-status': {
        const hostname = state.tasks.get(record.task)?.hostname;
        if (hostname !== undefined) this.#update(hostname, t);
        break;
      }
      case 'agent-removed':
        this.#states.delete(record.hostname);
        this.#modified.delete(record.hostname);
        break;
      default:
        break;
    }
  }

  #update(hostname: string, t: number): void {
    const agent = agentByHostname(this.#daemon.state, hostname);
    if (!agent) return;
    const now = workerNodeState(agent);
    if (this.#states.get(hostname)?.state !== now) this.#states.set(hostname, { state: now, since: t });
  }
}

const trackers = new WeakMap<Daemon, NodeTracker>();

/** The daemon's node tracker, started on first use. */
export function nodeTracker(daemon: Daemon): NodeTracker {
  let tracker = trackers.get(daemon);
  if (!tracker) {
    tracker = new NodeTracker(daemon);
    trackers.set(daemon, tracker);
  }
  return tracker;
}

// ---------------------------------------------------------------------------------------------
// Strict request checks (fastify's own would drop unknown fields silently or name only the first)

const list = (names: readonly string[]) => names.join(', ');

/**
 * The query string holds only `allowed` parameters, each at most once; returns it as strings.
 * Unknown parameters are a 400 naming every one of them.
 */
export function checkQuery(query: unknown, allowed: readonly string[]): Record<string, string> {
  const q = (query ?? {}) as Record<string, unknown>;
  const unexpected = Object.keys(q).filter((k) => !allowed.includes(k));
  if (unexpected.length > 0) {
    throw badRequest(
      allowed.length === 0
        ? `unexpected query parameters: ${list(unexpected)} (this resource takes none)`
        : `unexpected query parameters: ${list(unexpected)} (allowed: ${list(allowed)})`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    if (typeof v !== 'string') throw badRequest(`query parameter ${k} is given more than once`);
    out[k] = v;
  }
  return out;
}

/**
 * A PATCH body: a JSON object with at least one field, every field among `allowed`. Unexpected
 * fields are a 400 listing all of them; an empty object a 400 saying none was given. Field types
 * are left to the route's JSON schema.
 */
export function checkPatchBody(body: unknown, allowed: readonly string[]): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(`the request body must be a JSON object with some of: ${list(allowed)}`);
  const keys = Object.keys(body);
  const unexpected = keys.filter((k) => !allowed.includes(k));
  if (unexpected.length > 0)
    throw badRequest(`unexpected fields: ${list(unexpected)} (allowed: ${list(allowed)})`);
  if (keys.length === 0) throw badRequest(`no fields given; send at least one of: ${list(allowed)}`);
}

/** Requests that carry no body: anything but nothing (or an empty JSON object) is a 400. */
export function checkNoBody(body: unknown): void {
  if (body === undefined || body === null || body === '') return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  if (typeof body === 'object' && !Array.isArray(body))
    throw badRequest(`unexpected fields: ${list(Object.keys(body))} (this request takes no body)`);
  throw badRequest('this request takes no body');
}
