import type { TaskState, TaskStatusReason } from '../core/mesos/v1.ts';
import type { RecordResources, SchedulerRecord } from '../core/scheduler/records.ts';
import type { TaskSpec } from '../core/spec/task-spec.ts';

/** The trace line types of DESIGN ◆2.4, with their exact shapes. */
export type ContractLine =
  | {
      t: number;
      type: 'agent-added';
      agent: string;
      hostname: string;
      resources: { cpus: number; mem: number; disk: number; ports: [number, number][] };
      attributes: Record<string, string>;
    }
  | { t: number; type: 'agent-removed'; agent: string; reason: string }
  | { t: number; type: 'task-submitted'; task: string; spec: TaskSpec }
  | { t: number; type: 'task-launched'; task: string; agent: string; resources: RecordResources }
  | {
      t: number;
      type: 'task-status';
      task: string;
      state: TaskState;
      agent?: string;
      reason?: TaskStatusReason;
    }
  | { t: number; type: 'kill-requested'; task: string }
  | { t: number; type: 'run-finished'; digest: string };

/** Extension lines offerlab adds (documented in the README); consumers may ignore them. */
export interface ExtensionLine {
  t: number;
  type: string;
  [field: string]: unknown;
}

export type TraceLine = ContractLine | ExtensionLine;

/** Maps a scheduler record to its trace line, keeping the contract's key order. */
export function recordToLine(record: SchedulerRecord, t: number): TraceLine {
  switch (record.type) {
    case 'agent-added':
      return {
        t,
        type: 'agent-added',
        agent: record.agent,
        hostname: record.hostname,
        resources: {
          cpus: record.resources.cpus,
          mem: record.resources.mem,
          disk: record.resources.disk ?? 0,
          ports: record.resources.ports ?? [],
        },
        attributes: record.attributes,
      };
    case 'agent-removed':
      return { t, type: 'agent-removed', agent: record.agent, reason: record.reason };
    case 'task-submitted':
      return { t, type: 'task-submitted', task: record.task, spec: record.spec };
    case 'task-launched':
      return {
        t,
        type: 'task-launched',
        task: record.task,
        agent: record.agent,
        resources: record.resources,
      };
    case 'task-status': {
      const line: ContractLine = { t, type: 'task-status', task: record.task, state: record.state };
      if (record.agent !== undefined) line.agent = record.agent;
      if (record.reason !== undefined) line.reason = record.reason;
      return line;
    }
    case 'kill-requested':
      return { t, type: 'kill-requested', task: record.task };
    default: {
      const { type, ...rest } = record;
      return { t, type, ...rest };
    }
  }
}
