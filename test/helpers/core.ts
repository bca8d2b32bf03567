import { SeededRandom } from '../../src/adapters/seeded-random.ts';
import type { Call, Event, Offer, TaskState, TaskStatus, TaskStatusReason } from '../../src/core/mesos/v1.ts';
import type { Command } from '../../src/core/scheduler/commands.ts';
import { makeConfig, type SchedulerConfig } from '../../src/core/scheduler/config.ts';
import type { Input } from '../../src/core/scheduler/inputs.ts';
import type { SchedulerRecord } from '../../src/core/scheduler/records.ts';
import { createState, type SchedulerState } from '../../src/core/scheduler/state.ts';
import { step } from '../../src/core/scheduler/step.ts';
import { parseTaskSpec, type TaskSpec } from '../../src/core/spec/task-spec.ts';

export const FW = 'fw-0000';
export const MASTER = 'm1';

export function agentId(n: number): string {
  return `${MASTER}-S${n}`;
}

/** A valid spec from a partial raw Charmander configuration. */
export function spec(raw: Record<string, unknown>): TaskSpec {
  const r = parseTaskSpec({ dockerimage: 'img', mem: 64, ...raw });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.spec;
}

let offerSeq = 0;

/** An offer in the shape the master sends (MULTI_ROLE framework, role "*"). */
export function offer(
  agent: number,
  res: { cpus?: number; mem?: number; disk?: number; ports?: [number, number][] } = {},
  attributes: Record<string, string> = {},
): Offer {
  const cpus = res.cpus ?? 4;
  const mem = res.mem ?? 4096;
  const ranges = res.ports ?? [[31000, 32000]];
  const role = { role: '*', allocation_info: { role: '*' } };
  const resources: Offer['resources'] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, ...role },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem }, ...role },
  ];
  if (res.disk !== undefined)
    resources.push({ name: 'disk', type: 'SCALAR', scalar: { value: res.disk }, ...role });
  if (ranges.length > 0) {
    resources.push({
      name: 'ports',
      type: 'RANGES',
      ranges: { range: ranges.map(([begin, end]) => ({ begin, end })) },
      ...role,
    });
  }
  return {
    id: { value: `${MASTER}-O${offerSeq++}` },
    framework_id: { value: FW },
    agent_id: { value: agentId(agent) },
    hostname: `host-${agent}`,
    resources,
    attributes: [
      { name: 'nodename', type: 'TEXT', text: { value: `host-${agent}` } },
      ...Object.entries(attributes).map(([name, value]) => ({
        name,
        type: 'TEXT' as const,
        text: { value },
      })),
    ],
  };
}

export function offersEvent(...offers: Offer[]): Input {
  return { type: 'event', event: { type: 'OFFERS', offers: { offers } } };
}

export function update(
  task: string,
  state: TaskState,
  opts: { agent?: number; uuid?: string; reason?: TaskStatusReason; source?: TaskStatus['source'] } = {},
): Input {
  const status: TaskStatus = { task_id: { value: task }, state, source: opts.source ?? 'SOURCE_EXECUTOR' };
  if (opts.agent !== undefined) status.agent_id = { value: agentId(opts.agent) };
  if (opts.reason !== undefined) status.reason = opts.reason;
  if (opts.uuid !== undefined) status.uuid = opts.uuid;
  return { type: 'event', event: { type: 'UPDATE', update: { status } } };
}

export function event(e: Event): Input {
  return { type: 'event', event: e };
}

/**
 * A scheduler core under test: feeds inputs at a controllable time and keeps every command, with
 * helpers to pick out calls and records.
 */
export class Harness {
  readonly state: SchedulerState;
  now = 0;
  readonly random = new SeededRandom(1);
  last: Command[] = [];
  readonly all: Command[] = [];

  constructor(config: Partial<SchedulerConfig> = {}, frameworkId?: string) {
    this.state = createState(makeConfig(config), frameworkId);
  }

  feed(input: Input, at?: number): Command[] {
    if (at !== undefined) this.now = at;
    this.last = step(this.state, input, { now: this.now, random: this.random });
    this.all.push(...this.last);
    return this.last;
  }

  /** connected + SUBSCRIBED: a subscribed framework `FW`. */
  subscribe(): this {
    this.feed({ type: 'connected' });
    this.feed(
      event({
        type: 'SUBSCRIBED',
        subscribed: { framework_id: { value: FW }, heartbeat_interval_seconds: 15 },
      }),
    );
    return this;
  }

  submit(s: TaskSpec, opts: { count?: number; kind?: 'service' | 'batch' } = {}): string[] {
    const cmds = this.feed({
      type: 'submit',
      spec: s,
      kind: opts.kind ?? 'service',
      ...(opts.count ? { count: opts.count } : {}),
    });
    return records(cmds)
      .filter((r) => r.type === 'task-submitted')
      .map((r) => (r as Extract<SchedulerRecord, { type: 'task-submitted' }>).task);
  }
}

export function calls(cmds: readonly Command[], type?: Call['type']): Call[] {
  return cmds.flatMap((c) =>
    c.type === 'send' && (type === undefined || c.call.type === type) ? [c.call] : [],
  );
}

export function records(cmds: readonly Command[], type?: SchedulerRecord['type']): SchedulerRecord[] {
  return cmds.flatMap((c) =>
    c.type === 'record' && (type === undefined || c.record.type === type) ? [c.record] : [],
  );
}

/** Task ids launched by the ACCEPT calls among the commands, with their agent. */
export function launched(cmds: readonly Command[]): { task: string; agent: string }[] {
  return calls(cmds, 'ACCEPT').flatMap((c) =>
    c.type === 'ACCEPT'
      ? c.accept.operations.flatMap((op) =>
          op.launch.task_infos.map((ti) => ({ task: ti.task_id.value, agent: ti.agent_id.value })),
        )
      : [],
  );
}
