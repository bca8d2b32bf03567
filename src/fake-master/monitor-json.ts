import type { UsageSample } from '../../sim/cluster/usage.ts';

/** One entry of an agent's `GET /monitor/statistics` (mesos-v1-protocol.md §8.3). */
export interface MonitorEntry {
  readonly framework_id: string;
  readonly executor_id: string;
  readonly executor_name: string;
  readonly source: string;
  readonly statistics: {
    readonly timestamp: number;
    readonly cpus_user_time_secs: number;
    readonly cpus_system_time_secs: number;
    readonly cpus_limit: number;
    readonly mem_total_bytes: number;
    readonly mem_rss_bytes: number;
    readonly mem_limit_bytes: number;
  };
}

/**
 * An agent's `/monitor/statistics` body for its running tasks: one entry per command/Docker
 * executor, whose id (and `source`) is the task id. `mem_total_bytes` equals `mem_rss_bytes`
 * (the simulated tasks have no page cache); only the fields the simulator models are present,
 * as with a real agent whose isolators report no more.
 */
export function monitorStatistics(samples: readonly UsageSample[]): MonitorEntry[] {
  return samples.map((s) => ({
    framework_id: s.frameworkId,
    executor_id: s.executorId,
    executor_name: `Command Executor (Task: ${s.taskId}) (Command: NO EXECUTABLE)`,
    source: s.taskId,
    statistics: {
      timestamp: s.timestamp,
      cpus_user_time_secs: s.cpusUserTimeSecs,
      cpus_system_time_secs: s.cpusSystemTimeSecs,
      cpus_limit: s.cpusLimit,
      mem_total_bytes: s.memRssBytes,
      mem_rss_bytes: s.memRssBytes,
      mem_limit_bytes: s.memLimitBytes,
    },
  }));
}
