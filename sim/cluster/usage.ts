import { round3 } from '../../src/core/model/resources.ts';
import { taskUsage } from '../../src/core/model/task-behaviour.ts';
import { cpuSecondsAt, valueAt } from '../../src/core/model/usage-profile.ts';
import type { ClusterState } from './cluster-state.ts';
import type { SimAgent, SimTask } from './types.ts';

/** Bytes in a Mesos MB (`mem` is in MB of 2^20 bytes). */
export const MB = 1024 * 1024;
/** What Mesos adds to a command or Docker task's limits for its built-in executor (§8.3). */
export const EXECUTOR_CPUS = 0.1;
export const EXECUTOR_MEM_MB = 32;
/** Share of a task's cpu time reported as user time; the rest is system time. */
export const USER_SHARE = 0.9;

/**
 * One usage reading of a running task, the way an agent's `/monitor/statistics` reports its
 * executor (mesos-v1-protocol.md §8.3):
 *
 * * `memRssBytes`: the memory profile's value now, in bytes (MB × 2^20, rounded);
 * * `cpusUserTimeSecs` / `cpusSystemTimeSecs`: the cpus profile integrated from TASK_RUNNING to
 *   now (cpu-seconds), split 90 % user / 10 % system; cpus are not capped at the limit (Mesos'
 *   default cpu isolation uses shares, not quotas);
 * * `memLimitBytes` / `cpusLimit`: the allocation plus the built-in executor's allowance
 *   (+32 MB, +0.1 cpus), as a real agent reports them for command and Docker tasks;
 * * `timestamp`: seconds since the epoch, like status update timestamps.
 */
export interface UsageSample {
  readonly taskId: string;
  readonly frameworkId: string;
  readonly agentId: string;
  /** The command/Docker executor's id: the task id. */
  readonly executorId: string;
  readonly memRssBytes: number;
  readonly memLimitBytes: number;
  readonly cpusUserTimeSecs: number;
  readonly cpusSystemTimeSecs: number;
  readonly cpusLimit: number;
  readonly timestamp: number;
}

/**
 * True while a task's process runs: it reached TASK_RUNNING (and may be TASK_KILLING), has not
 * ended and was not OOM-killed.
 */
function processRunning(task: SimTask, now: number): boolean {
  if (task.runningAt === undefined) return false;
  if (task.state !== 'TASK_RUNNING' && task.state !== 'TASK_KILLING') return false;
  return task.oomAt === undefined || now < task.oomAt;
}

/** The reading of one task at the current simulated time. */
export function sampleTask(cs: ClusterState, agent: SimAgent, task: SimTask): UsageSample {
  const now = cs.sim.now();
  const since = now - (task.runningAt ?? now);
  const seed = task.usageSeed ?? 0;
  const usage = taskUsage(task.behaviour, task.resources);
  const cpuSecs = cpuSecondsAt(usage, since, seed);
  return {
    taskId: task.id,
    frameworkId: task.frameworkId,
    agentId: agent.id,
    executorId: task.id,
    memRssBytes: Math.round(valueAt(usage.mem, since, seed) * MB),
    memLimitBytes: Math.round((task.resources.mem + EXECUTOR_MEM_MB) * MB),
    cpusUserTimeSecs: cpuSecs * USER_SHARE,
    cpusSystemTimeSecs: cpuSecs * (1 - USER_SHARE),
    cpusLimit: round3(task.resources.cpus + EXECUTOR_CPUS),
    timestamp: (cs.epochMs + now) / 1000,
  };
}

/** Readings of every running task on one agent, in launch order. */
export function agentSamples(cs: ClusterState, agent: SimAgent): UsageSample[] {
  const now = cs.sim.now();
  const out: UsageSample[] = [];
  for (const task of agent.tasks.values())
    if (processRunning(task, now)) out.push(sampleTask(cs, agent, task));
  return out;
}
