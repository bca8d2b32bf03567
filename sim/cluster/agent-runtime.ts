import { isTerminalState } from '../../src/core/mesos/task-states.ts';
import type { TaskState, TaskStatusReason, TaskStatusSource } from '../../src/core/mesos/v1.ts';
import { addResources, round3 } from '../../src/core/model/resources.ts';
import { taskUsage } from '../../src/core/model/task-behaviour.ts';
import { firstExceeding, type TaskUsage, valueAt } from '../../src/core/model/usage-profile.ts';
import { markDirty } from './allocator.ts';
import { type ClusterState, taskKey } from './cluster-state.ts';
import { uuidBytesBase64 } from './ids.ts';
import type { SimAgent, SimTask } from './types.ts';
import { status } from './v1-shapes.ts';

/**
 * What a simulated agent does with a task the master accepted: STAGING, then after the launch
 * delay STARTING and RUNNING (from the executor, each with a uuid), then FINISHED after its
 * runtime, or FAILED when its real memory use exceeds the allocation (Mesos' memory isolation):
 * the process dies at the first millisecond its memory profile is over the allocation, and the
 * agent reports it `memoryKillDelayMs` later.
 */
export function startTask(cs: ClusterState, agent: SimAgent, task: SimTask): void {
  agent.tasks.set(task.id, task);
  cs.tasks.set(taskKey(task.frameworkId, task.id), task);
  cs.observer.taskLaunched?.(task);
  const delay = Math.round(cs.timing.launchDelayMs * (0.5 + cs.random.launch.next()));
  cs.sim.after(delay, () => {
    if (task.state !== 'TASK_STAGING' || agent.removed) return;
    report(cs, agent, task, 'TASK_STARTING', 'SOURCE_EXECUTOR');
    cs.sim.after(cs.timing.startDelayMs, () => {
      if (task.state !== 'TASK_STARTING' || agent.removed) return;
      const runningAt = cs.sim.now();
      task.runningAt = runningAt;
      report(cs, agent, task, 'TASK_RUNNING', 'SOURCE_EXECUTOR');
      const b = task.behaviour;
      const usage = taskUsage(b, task.resources);
      const seed = usageSeed(cs, task, usage);
      if (seed !== 0) task.usageSeed = seed;
      // The first millisecond memory exceeds the allocation, in closed form: one event, no polling.
      // A batch task that is done by then finishes instead (a tie goes to the OOM kill).
      const oom = firstExceeding(usage.mem, task.resources.mem, seed);
      if (oom !== undefined && (b.runtimeMs === undefined || oom <= b.runtimeMs)) {
        const used = round3(valueAt(usage.mem, oom, seed));
        task.oomAt = runningAt + oom;
        cs.sim.after(oom + cs.timing.memoryKillDelayMs, () => {
          if (task.state !== 'TASK_RUNNING' || agent.removed) return;
          report(cs, agent, task, 'TASK_FAILED', 'SOURCE_AGENT', {
            reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
            message: `Memory limit exceeded: Requested: ${task.resources.mem}MB Used: ${used}MB`,
          });
        });
      } else if (b.runtimeMs !== undefined) {
        cs.sim.after(b.runtimeMs, () => {
          if (task.state !== 'TASK_RUNNING' || agent.removed) return;
          report(cs, agent, task, 'TASK_FINISHED', 'SOURCE_EXECUTOR', {
            message: 'Command exited with status 0',
          });
        });
      }
    });
  });
}

/**
 * The seed that places a task's jittered spikes: drawn from its own labelled fork of the cluster's
 * usage generator (`<framework id>/<task id>`), so it depends on neither launch order nor other
 * draws. 0 (and no draw) when no profile of the task has jitter.
 */
function usageSeed(cs: ClusterState, task: SimTask, usage: TaskUsage): number {
  const jittered = [usage.mem, usage.cpus].some((p) => p.profile === 'spikes' && (p.jitterMs ?? 0) > 0);
  if (!jittered) return 0;
  return cs.random.usage.fork(taskKey(task.frameworkId, task.id)).int(1, 2 ** 32);
}

/** The agent kills a task: at once if it has not reached its executor, else via TASK_KILLING. */
export function killTaskOnAgent(cs: ClusterState, agent: SimAgent, task: SimTask): void {
  if (isTerminalState(task.state) || task.killRequested) return;
  task.killRequested = true;
  if (task.state === 'TASK_STAGING') {
    report(cs, agent, task, 'TASK_KILLED', 'SOURCE_AGENT', { reason: 'REASON_TASK_KILLED_DURING_LAUNCH' });
    return;
  }
  const fw = cs.frameworks.get(task.frameworkId);
  if (fw?.killingState) report(cs, agent, task, 'TASK_KILLING', 'SOURCE_EXECUTOR');
  cs.sim.after(cs.timing.killDelayMs, () => {
    if (isTerminalState(task.state) || agent.removed) return;
    report(cs, agent, task, 'TASK_KILLED', 'SOURCE_EXECUTOR', { message: 'Container exited on SIGTERM' });
  });
}

/** A new state for a task, queued behind any unacknowledged update of the same task. */
function report(
  cs: ClusterState,
  agent: SimAgent,
  task: SimTask,
  state: TaskState,
  source: TaskStatusSource,
  extra: { reason?: TaskStatusReason; message?: string } = {},
): void {
  task.state = state;
  const uuid = uuidBytesBase64(cs.random.uuids);
  const update = {
    uuid,
    status: status(task.id, state, {
      source,
      agentId: agent.id,
      executorId: task.id,
      uuid,
      timestamp: (cs.epochMs + cs.sim.now()) / 1000,
      ...extra,
    }),
  };
  let queue = agent.updates.get(task.id);
  if (!queue) {
    queue = [];
    agent.updates.set(task.id, queue);
  }
  queue.push(update);
  if (queue.length === 1) forwardHead(cs, agent, task.id, cs.timing.statusRetryMs);
}

/**
 * Sends the oldest unacknowledged update of a task to its framework (when it is subscribed) and
 * arms the resend timer. The master learns the state from what it forwards: when that is
 * terminal, the task's resources go back to the agent.
 */
function forwardHead(cs: ClusterState, agent: SimAgent, taskId: string, delay: number): void {
  const head = agent.updates.get(taskId)?.[0];
  const task = agent.tasks.get(taskId);
  if (!head || !task || agent.removed) return;
  const fw = cs.frameworks.get(task.frameworkId);
  if (fw?.registered && fw.connection?.open && cs.leading) {
    fw.connection.deliver({ type: 'UPDATE', update: { status: head.status } });
    task.forwardedState = head.status.state;
    if (isTerminalState(head.status.state)) releaseTask(cs, agent, task);
  }
  // Resends go through a wheel with one-second buckets: one simulation event per second while
  // updates are in flight, instead of one (almost always useless) event per update.
  const at = Math.ceil((cs.sim.now() + delay) / 1000) * 1000;
  agent.retry.set(taskId, { at, delay });
  let bucket = cs.retries.get(at);
  if (!bucket) {
    bucket = [];
    cs.retries.set(at, bucket);
  }
  bucket.push({ agentId: agent.id, taskId, uuid: head.uuid });
  scheduleRetryTick(cs);
}

function scheduleRetryTick(cs: ClusterState): void {
  if (cs.retryTickScheduled || cs.retries.size === 0) return;
  cs.retryTickScheduled = true;
  cs.sim.at(Math.floor(cs.sim.now() / 1000) * 1000 + 1000, () => retryTick(cs));
}

/** Resends every update that is still at the head of its queue, unacknowledged, when due. */
function retryTick(cs: ClusterState): void {
  cs.retryTickScheduled = false;
  const now = cs.sim.now();
  const bucket = cs.retries.get(now);
  cs.retries.delete(now);
  for (const r of bucket ?? []) {
    const agent = cs.agents.get(r.agentId);
    const due = agent?.retry.get(r.taskId);
    if (!agent || !due || due.at !== now || agent.updates.get(r.taskId)?.[0]?.uuid !== r.uuid) continue;
    forwardHead(cs, agent, r.taskId, Math.min(due.delay * 2, cs.timing.statusRetryMaxMs));
  }
  scheduleRetryTick(cs);
}

/** The task's resources are free again. */
export function releaseTask(cs: ClusterState, agent: SimAgent, task: SimTask): void {
  if (task.released) return;
  task.released = true;
  if (!agent.removed) {
    agent.free = addResources(agent.free, task.resources);
    markDirty(cs, agent.id);
  }
  cs.observer.taskEnded?.(task);
}

/**
 * An acknowledgement for the update at the head of a task's queue: the next one goes out. Once
 * a terminal update is acknowledged the master forgets the task.
 */
export function acknowledgeOnAgent(cs: ClusterState, agent: SimAgent, taskId: string, uuid: string): void {
  const queue = agent.updates.get(taskId);
  if (!queue || queue[0]?.uuid !== uuid) return;
  queue.shift();
  agent.retry.delete(taskId);
  if (queue.length > 0) {
    forwardHead(cs, agent, taskId, cs.timing.statusRetryMs);
    return;
  }
  agent.updates.delete(taskId);
  const task = agent.tasks.get(taskId);
  if (task && isTerminalState(task.state)) {
    agent.tasks.delete(taskId);
    cs.tasks.delete(taskKey(task.frameworkId, taskId));
  }
}

/** After a (re)subscription the agents resend the head of every pending queue at once. */
export function resumeUpdates(cs: ClusterState, frameworkId: string): void {
  for (const agent of cs.agents.values()) {
    for (const taskId of agent.updates.keys()) {
      if (agent.tasks.get(taskId)?.frameworkId === frameworkId)
        forwardHead(cs, agent, taskId, cs.timing.statusRetryMs);
    }
  }
}
