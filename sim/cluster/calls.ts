import type {
  AcceptCall,
  DeclineCall,
  Id,
  KillCall,
  ReconcileCall,
  TaskInfo,
  TaskStatus,
} from '../../src/core/mesos/v1.ts';
import {
  addResources,
  emptyResources,
  fits,
  type Resources,
  resourcesFromMesos,
  subtractResources,
} from '../../src/core/model/resources.ts';
import { behaviourFromLabels } from '../../src/core/model/task-behaviour.ts';
import { acknowledgeOnAgent, killTaskOnAgent, startTask } from './agent-runtime.ts';
import { returnResources } from './allocator.ts';
import { type ClusterState, taskKey } from './cluster-state.ts';
import { imageBehaviour } from './images.ts';
import type { SimAgent, SimFramework } from './types.ts';
import { status } from './v1-shapes.ts';

function masterUpdate(fw: SimFramework, s: TaskStatus): void {
  fw.connection?.deliver({ type: 'UPDATE', update: { status: s } });
}

function now(cs: ClusterState): number {
  return (cs.epochMs + cs.sim.now()) / 1000;
}

/** Every LAUNCH task of a refused ACCEPT gets TASK_DROPPED (partition-aware) or TASK_LOST. */
function refuseLaunches(cs: ClusterState, fw: SimFramework, call: AcceptCall, message: string): void {
  for (const op of call.accept.operations ?? []) {
    for (const info of op.launch?.task_infos ?? []) {
      masterUpdate(
        fw,
        status(info.task_id.value, fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST', {
          source: 'SOURCE_MASTER',
          reason: 'REASON_INVALID_OFFERS',
          message: `Task launched with invalid offers: ${message}`,
          agentId: info.agent_id.value,
          timestamp: now(cs),
        }),
      );
    }
  }
}

/** Mesos' rules for task, executor and framework ids (src/common/validation.cpp). */
function mesosIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (id === '.' || id === '..') return "'.' and '..' are disallowed";
  if (id.length > 255) return 'ID must not be longer than NAME_MAX (255)';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what Mesos refuses
  if (/[/\\\u0000-\u001f\u007f]/.test(id)) return "ID must not contain '/', '\\' or control characters";
  return undefined;
}

/** Why Mesos would refuse this task, or undefined when it is valid against the pool. */
function taskProblem(
  cs: ClusterState,
  fw: SimFramework,
  agent: SimAgent,
  info: TaskInfo,
  need: Resources,
  pool: Resources,
): string | undefined {
  const idIssue = mesosIdProblem(info.task_id.value);
  if (idIssue) return `Task ID '${info.task_id.value}' is invalid: ${idIssue}`;
  if (cs.tasks.has(taskKey(fw.id, info.task_id.value))) return `Task has duplicate ID: ${info.task_id.value}`;
  if (info.agent_id.value !== agent.id) return `Task uses invalid agent: ${info.agent_id.value}`;
  if (info.resources.length === 0) return 'Task uses no resources';
  if (info.container?.type === 'DOCKER' && !info.container.docker)
    return 'DockerInfo must be set for DOCKER container';
  if (!info.command)
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  if (!fits(pool, need)) {
    return `Total resources ${describe(need)} required by task and its executor is more than available ${describe(pool)}`;
  }
  return undefined;
}

function describe(r: Resources): string {
  const ports = r.ports.map((p) => `${p.begin}-${p.end}`).join(', ');
  return `cpus:${r.cpus}; mem:${r.mem}; disk:${r.disk}${ports ? `; ports:[${ports}]` : ''}`;
}

/**
 * ACCEPT: all offers must be outstanding, this framework's and on one agent, else every task gets
 * TASK_DROPPED/TASK_LOST (REASON_INVALID_OFFERS) and the valid offers go back unfiltered. Each
 * task is then validated on its own against what is left (TASK_ERROR, REASON_TASK_INVALID); valid
 * ones start on the agent; the leftover is declined with the call's filter.
 */
export function accept(cs: ClusterState, fw: SimFramework, call: AcceptCall): void {
  const ids = call.accept.offer_ids ?? [];
  const offers = ids.map((id) => cs.offers.get(id.value));
  const distinct = new Set(ids.map((id) => id.value)).size === ids.length;
  const valid = offers.filter((o) => o !== undefined && o.frameworkId === fw.id);
  const agentIds = new Set(valid.map((o) => o?.agentId));
  if (ids.length === 0 || !distinct || valid.length !== ids.length || agentIds.size !== 1) {
    const bad = ids.find((id) => !valid.some((o) => o?.id === id.value));
    for (const o of valid) {
      if (!o) continue;
      cs.offers.delete(o.id);
      fw.offers.delete(o.id);
      const agent = cs.agents.get(o.agentId);
      if (agent) returnResources(cs, agent, o.resources, undefined, undefined);
    }
    refuseLaunches(
      cs,
      fw,
      call,
      bad ? `Offer ${bad.value} is no longer valid` : 'offers must be distinct and from one agent',
    );
    return;
  }
  const agent = cs.agents.get([...agentIds][0] as string) as SimAgent;
  let pool = emptyResources();
  for (const o of valid) {
    if (!o) continue;
    pool = addResources(pool, o.resources);
    cs.offers.delete(o.id);
    fw.offers.delete(o.id);
  }
  for (const op of call.accept.operations ?? []) {
    if (op.type !== 'LAUNCH') continue;
    for (const info of op.launch?.task_infos ?? []) {
      const need = resourcesFromMesos(info.resources ?? []);
      const problem = taskProblem(cs, fw, agent, info, need, pool);
      if (problem) {
        masterUpdate(
          fw,
          status(info.task_id.value, 'TASK_ERROR', {
            source: 'SOURCE_MASTER',
            reason: 'REASON_TASK_INVALID',
            message: problem,
            agentId: agent.id,
            timestamp: now(cs),
          }),
        );
        continue;
      }
      pool = subtractResources(pool, need);
      startTask(cs, agent, {
        id: info.task_id.value,
        frameworkId: fw.id,
        agentId: agent.id,
        info,
        resources: need,
        behaviour: { ...imageBehaviour(info), ...behaviourFromLabels(info.labels?.labels) },
        state: 'TASK_STAGING',
        released: false,
        launchedAt: cs.sim.now(),
        killRequested: false,
      });
    }
  }
  returnResources(cs, agent, pool, fw, call.accept.filters?.refuse_seconds);
}

/** DECLINE: each valid offer goes back behind a filter; unknown ids are ignored. */
export function decline(cs: ClusterState, fw: SimFramework, call: DeclineCall): void {
  for (const id of call.decline.offer_ids ?? []) {
    const offer = cs.offers.get(id.value);
    if (!offer || offer.frameworkId !== fw.id) continue;
    cs.offers.delete(id.value);
    fw.offers.delete(id.value);
    const agent = cs.agents.get(offer.agentId);
    if (agent) returnResources(cs, agent, offer.resources, fw, call.decline.filters?.refuse_seconds);
  }
}

/** KILL: forwarded to the agent; an unknown task gets an explicit reconciliation answer. */
export function kill(cs: ClusterState, fw: SimFramework, call: KillCall): void {
  const task = cs.tasks.get(taskKey(fw.id, call.kill.task_id.value));
  if (!task) {
    reconcileOne(cs, fw, call.kill.task_id, call.kill.agent_id);
    return;
  }
  if (call.kill.agent_id && call.kill.agent_id.value !== task.agentId) return;
  const agent = cs.agents.get(task.agentId);
  if (agent) killTaskOnAgent(cs, agent, task);
}

export function acknowledge(cs: ClusterState, agentId: string, taskId: string, uuid: string): void {
  const agent = cs.agents.get(agentId);
  if (agent && !agent.removed) acknowledgeOnAgent(cs, agent, taskId, uuid);
}

/** The master's answer for one task (docs/reconciliation.md decision table). */
function reconcileOne(cs: ClusterState, fw: SimFramework, taskId: Id, agentId: Id | undefined): void {
  const task = cs.tasks.get(taskKey(fw.id, taskId.value));
  if (task) {
    masterUpdate(
      fw,
      status(taskId.value, task.forwardedState ?? 'TASK_STAGING', {
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Latest task state',
        agentId: task.agentId,
        timestamp: now(cs),
      }),
    );
    return;
  }
  const agentKnown =
    agentId !== undefined && cs.agents.has(agentId.value) && !cs.agents.get(agentId.value)?.removed;
  const state = !fw.partitionAware ? 'TASK_LOST' : agentKnown ? 'TASK_GONE' : 'TASK_UNKNOWN';
  masterUpdate(
    fw,
    status(taskId.value, state, {
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown',
      ...(agentId !== undefined ? { agentId: agentId.value } : {}),
      timestamp: now(cs),
    }),
  );
}

/** RECONCILE: explicit (named tasks) or implicit (every task the master knows of this framework). */
export function reconcile(cs: ClusterState, fw: SimFramework, call: ReconcileCall): void {
  const named = call.reconcile.tasks ?? [];
  if (named.length > 0) {
    for (const t of named) reconcileOne(cs, fw, t.task_id, t.agent_id);
    return;
  }
  for (const task of cs.tasks.values()) {
    if (task.frameworkId === fw.id) reconcileOne(cs, fw, { value: task.id }, { value: task.agentId });
  }
}
