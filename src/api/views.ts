import type { AgentRecord, SchedulerState, TaskRecord } from '../core/scheduler/state.ts';

/** A task as `GET /client/task` shows it: the spec fields as submitted plus where it is. */
export interface TaskView {
  /** The spec id, as submitted (Charmander's `id`). */
  id: string;
  /** The unique task id (`<id>-<suffix>`), the one DELETE /client/task/<prefix> matches. */
  task: string;
  /** Mesos task state once launched; `TASK_PENDING` while queued. */
  state: string;
  /** offerlab's own lifecycle phase: pending, launching, staging, starting, running, killing, unreachable, done. */
  phase: string;
  agent: string | null;
  agent_id: string | null;
  resources: { cpus: number; mem: number; disk: number; ports: number[] };
  spec: TaskRecord['spec'];
  kind: TaskRecord['kind'];
  origin: TaskRecord['origin'];
  reason?: string;
  message?: string;
}

export function taskView(task: TaskRecord): TaskView {
  const view: TaskView = {
    id: task.specId,
    task: task.id,
    state: task.phase === 'pending' ? 'TASK_PENDING' : (task.state ?? 'TASK_STAGING'),
    phase: task.phase,
    agent: task.hostname ?? null,
    agent_id: task.agentId ?? null,
    resources: {
      cpus: task.need.cpus,
      mem: task.need.mem,
      disk: task.need.disk,
      ports: (task.spec.ports ?? []).map((p) => p.host_port),
    },
    spec: task.spec,
    kind: task.kind,
    origin: task.origin,
  };
  if (task.reason !== undefined) view.reason = task.reason;
  if (task.message !== undefined) view.message = task.message;
  return view;
}

/** Every task not ended (queued and launched), in submission order. */
export function activeTasks(state: SchedulerState): TaskRecord[] {
  return [...state.tasks.values()].filter((t) => t.phase !== 'done').sort((a, b) => a.seq - b.seq);
}

/** Launched, non-terminal tasks on an agent, in submission order. */
export function tasksOn(state: SchedulerState, agent: AgentRecord): TaskRecord[] {
  return [...agent.taskIds]
    .map((id) => state.tasks.get(id))
    .filter((t): t is TaskRecord => t !== undefined)
    .sort((a, b) => a.seq - b.seq);
}

/** Agents in a stable order (hostname, then id). */
export function agentsInOrder(state: SchedulerState): AgentRecord[] {
  return [...state.agents.values()].sort((a, b) =>
    a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}
