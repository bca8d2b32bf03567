import { isTerminalState } from '../core/mesos/task-states.ts';
import type { Range, TaskState } from '../core/mesos/v1.ts';
import { rangesInclude, rangesOverlap } from '../core/model/resources.ts';
import type { TaskSpec } from '../core/spec/task-spec.ts';
import type { TraceLine } from './trace-line.ts';

export type InvariantName = 'no-overcommit' | 'one-per-node' | 'singleton' | 'nodetype' | 'ports';

export const INVARIANTS: readonly InvariantName[] = [
  'no-overcommit',
  'one-per-node',
  'singleton',
  'nodetype',
  'ports',
];

export interface Violation {
  readonly invariant: InvariantName | 'agent-removal' | 'pool-removal';
  readonly lineNumber: number;
  readonly line: string;
  readonly message: string;
}

interface AgentView {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly ports: Range[];
  readonly attributes: Record<string, string>;
  readonly live: Set<string>;
  usedCpus: number;
  usedMem: number;
  usedDisk: number;
}

interface TaskView {
  readonly spec: TaskSpec;
  agent?: string;
  cpus: number;
  mem: number;
  disk: number;
  ports: Range[];
  live: boolean;
}

const EPSILON = 1e-6;

interface PendingRemoval {
  readonly agent: string;
  readonly t: number;
  readonly tasks: string[];
  readonly lineNumber: number;
  readonly line: string;
}

/**
 * A task stops being live at a terminal status, or at TASK_UNKNOWN: the master has no record of
 * it and offerlab replaces it (see README, "Traces").
 */
export function endsLife(state: TaskState): boolean {
  return isTerminalState(state) || state === 'TASK_UNKNOWN';
}

/**
 * Checks the placement invariants after every trace line: agents never over-committed, at most
 * one live copy of a one-per-node task per agent, at most one live copy of a singleton, nodetype
 * and nodename honoured, host ports offered and never shared; every task on a removed agent
 * ended no later than the agent's removal; and a pool never destroys a node with live tasks. Reads only the trace, so it works for simulated and
 * live runs alike.
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  readonly #agents = new Map<string, AgentView>();
  readonly #tasks = new Map<string, TaskView>();
  readonly #liveBySpec = new Map<string, Set<string>>();
  #pendingRemoval: PendingRemoval[] = [];

  /** The first violation of each invariant. */
  firstByInvariant(): Map<string, Violation> {
    const out = new Map<string, Violation>();
    for (const v of this.violations) if (!out.has(v.invariant)) out.set(v.invariant, v);
    return out;
  }

  readonly listener = (line: TraceLine, lineNumber: number, text: string): void =>
    this.check(line, lineNumber, text);

  check(line: TraceLine, lineNumber: number, text: string): void {
    if (this.#pendingRemoval.length > 0) this.#checkRemovals(line.t, false);
    const fail = (invariant: Violation['invariant'], message: string) =>
      this.violations.push({ invariant, lineNumber, line: text, message });
    switch (line.type) {
      case 'agent-added': {
        const l = line as Extract<TraceLine, { type: 'agent-added'; hostname: string }>;
        this.#agents.set(l.agent, {
          cpus: l.resources.cpus,
          mem: l.resources.mem,
          disk: l.resources.disk,
          ports: l.resources.ports.map(([begin, end]) => ({ begin, end })),
          attributes: l.attributes,
          live: new Set(),
          usedCpus: 0,
          usedMem: 0,
          usedDisk: 0,
        });
        break;
      }
      case 'task-submitted': {
        const l = line as Extract<TraceLine, { type: 'task-submitted'; spec: TaskSpec }>;
        this.#tasks.set(l.task, { spec: l.spec, cpus: 0, mem: 0, disk: 0, ports: [], live: false });
        break;
      }
      case 'task-launched': {
        const l = line as Extract<TraceLine, { type: 'task-launched'; agent: string }>;
        const task = this.#tasks.get(l.task);
        const agent = this.#agents.get(l.agent);
        if (!task || !agent) break;
        task.agent = l.agent;
        task.cpus = l.resources.cpus;
        task.mem = l.resources.mem;
        task.disk = l.resources.disk ?? 0;
        task.ports = (l.resources.ports ?? []).map(([begin, end]) => ({ begin, end }));
        this.#launch(task, l.task, agent, fail);
        break;
      }
      case 'task-status': {
        const l = line as Extract<TraceLine, { type: 'task-status'; state: TaskState }>;
        if (endsLife(l.state)) this.#end(l.task);
        break;
      }
      case 'agent-removed': {
        const l = line as Extract<TraceLine, { type: 'agent-removed'; reason: string }>;
        const agent = this.#agents.get(l.agent);
        if (agent) {
          this.#pendingRemoval.push({
            agent: l.agent,
            t: l.t,
            tasks: [...agent.live],
            lineNumber,
            line: text,
          });
          this.#agents.delete(l.agent);
        }
        break;
      }
      case 'pool-node': {
        // A pool destroys only empty nodes: when it decides to, no task may be live on the agent.
        const l = line as { state?: unknown; agent?: unknown; hostname?: unknown };
        const agent = typeof l.agent === 'string' ? this.#agents.get(l.agent) : undefined;
        if (l.state === 'deleting' && agent && agent.live.size > 0)
          fail(
            'pool-removal',
            `pool node ${String(l.hostname)} is being destroyed with ${agent.live.size} live task(s): ${[...agent.live].sort().slice(0, 5).join(', ')}`,
          );
        break;
      }
      case 'run-finished':
        this.#checkRemovals(line.t, true);
        break;
      default:
        break;
    }
  }

  #launch(
    task: TaskView,
    id: string,
    agent: AgentView,
    fail: (i: Violation['invariant'], m: string) => void,
  ): void {
    const { spec } = task;
    agent.usedCpus += task.cpus;
    agent.usedMem += task.mem;
    agent.usedDisk += task.disk;
    if (
      agent.usedCpus > agent.cpus + EPSILON ||
      agent.usedMem > agent.mem + EPSILON ||
      agent.usedDisk > agent.disk + EPSILON
    ) {
      fail(
        'no-overcommit',
        `${id} over-commits its agent: cpus ${round(agent.usedCpus)}/${agent.cpus}, mem ${round(agent.usedMem)}/${agent.mem}, disk ${round(agent.usedDisk)}/${agent.disk}`,
      );
    }
    if (task.ports.length > 0) {
      if (!rangesInclude(agent.ports, task.ports))
        fail('ports', `${id} uses host ports outside the agent's port ranges`);
      for (const other of agent.live) {
        const o = this.#tasks.get(other);
        if (o && rangesOverlap(o.ports, task.ports))
          fail('ports', `${id} shares a host port with ${other} on the same agent`);
      }
    }
    if (spec.nodetype !== undefined && agent.attributes.nodetype !== spec.nodetype) {
      fail(
        'nodetype',
        `${id} wants nodetype ${spec.nodetype} but runs on nodetype ${agent.attributes.nodetype ?? '(none)'}`,
      );
    }
    if (spec.nodename !== undefined && agent.attributes.nodename !== spec.nodename) {
      fail(
        'nodetype',
        `${id} wants nodename ${spec.nodename} but runs on nodename ${agent.attributes.nodename ?? '(none)'}`,
      );
    }
    const siblings = this.#liveBySpec.get(spec.id);
    if (spec.sla === 'one-per-node' && siblings) {
      for (const other of siblings) {
        if (agent.live.has(other))
          fail('one-per-node', `${id} is a second live copy of ${spec.id} on one agent (with ${other})`);
      }
    }
    if (spec.sla === 'singleton' && siblings && siblings.size > 0) {
      fail('singleton', `${id} is live while ${[...siblings].join(', ')} still is (singleton ${spec.id})`);
    }
    agent.live.add(id);
    task.live = true;
    const set = siblings ?? new Set<string>();
    set.add(id);
    this.#liveBySpec.set(spec.id, set);
  }

  #end(id: string): void {
    const task = this.#tasks.get(id);
    if (!task?.live) return;
    task.live = false;
    this.#liveBySpec.get(task.spec.id)?.delete(id);
    const agent = task.agent === undefined ? undefined : this.#agents.get(task.agent);
    if (agent) {
      agent.live.delete(id);
      agent.usedCpus -= task.cpus;
      agent.usedMem -= task.mem;
      agent.usedDisk -= task.disk;
    }
  }

  #checkRemovals(t: number, final: boolean): void {
    const still: PendingRemoval[] = [];
    for (const r of this.#pendingRemoval) {
      if (!final && t <= r.t) {
        still.push(r);
        continue;
      }
      const alive = r.tasks.filter((id) => this.#tasks.get(id)?.live);
      if (alive.length > 0) {
        this.violations.push({
          invariant: 'agent-removal',
          lineNumber: r.lineNumber,
          line: r.line,
          message: `agent ${r.agent} was removed at t=${r.t} but ${alive.join(', ')} had no terminal status by then`,
        });
        for (const id of alive) this.#end(id);
      }
    }
    this.#pendingRemoval = still;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
