import type { IntelligenceSummary } from '../intelligence/family.ts';
import type { Range, TaskState, TaskStatusReason } from '../mesos/v1.ts';
import type { PoolMode } from '../pools/types.ts';
import type { Plan } from '../reshuffle/planner.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { KillCause, TaskKind, TaskOrigin } from './state.ts';

/** Resources as they appear in records and traces: scalars plus port ranges as [lo, hi] pairs. */
export interface RecordResources {
  cpus: number;
  mem: number;
  disk?: number;
  ports?: [number, number][];
}

export function rangesToPairs(ranges: readonly Range[]): [number, number][] {
  return ranges.map((r) => [r.begin, r.end]);
}

/** What changed a family's intelligence. */
export type IntelligenceCause = 'usage' | 'set' | 'clear' | 'import';

/**
 * What the scheduler decided or observed, in order: the raw material of traces, the daemon's
 * event stream and its journal.
 */
export type SchedulerRecord =
  | {
      type: 'task-submitted';
      task: string;
      /** What the task runs with (right-sized when sizing is on). */
      spec: TaskSpec;
      /** The spec as submitted, when sizing changed it. */
      requested?: TaskSpec;
      kind: TaskKind;
      origin: TaskOrigin;
      /** When the task may first be launched (later than now while a relaunch backs off). */
      eligibleAt: number;
      previous?: string;
      agent?: string;
      /** The ETL job the task is a copy of. */
      job?: string;
    }
  | { type: 'task-launched'; task: string; agent: string; hostname: string; resources: RecordResources }
  | {
      type: 'task-status';
      task: string;
      state: TaskState;
      agent?: string;
      reason?: TaskStatusReason;
      message?: string;
    }
  | { type: 'kill-requested'; task: string; cause: KillCause }
  | { type: 'submit-rejected'; id: string; message: string }
  | {
      type: 'agent-added';
      agent: string;
      hostname: string;
      resources: RecordResources;
      attributes: Record<string, string>;
    }
  | { type: 'agent-removed'; agent: string; hostname: string; reason: string }
  | { type: 'agent-held'; hostname: string; held: boolean; reason?: string }
  | { type: 'paused'; paused: boolean }
  | { type: 'subscribed'; framework: string; resubscribed: boolean }
  | { type: 'disconnected'; reason: string }
  | { type: 'reconciled'; tasks: number; durationMs: number; complete: boolean }
  | { type: 'reshuffle'; strategy: string; moved: string[] }
  /** A planned reshuffle's plan, before anything is applied (and all of it for a dry run). */
  | { type: 'reshuffle-plan'; strategy: string; dryRun: boolean; plan: Plan }
  /** A planned reshuffle ended: every wave done, or stopped when one went wrong. */
  | { type: 'reshuffle-finished'; strategy: string; moved: string[]; complete: boolean; reason?: string }
  | { type: 'gave-up'; task: string; message: string }
  /**
   * A family's intelligence changed in a way sizing depends on (an estimate, the peak rounded up
   * to a whole MB, an override), or it was forgotten (`entry: null`). Usage samples that change
   * none of these produce no record.
   */
  | { type: 'intelligence'; id: string; cause: IntelligenceCause; entry: IntelligenceSummary | null }
  /** An intelligence change was refused (invalid values); `id` is absent for an import. */
  | { type: 'intelligence-rejected'; id?: string; message: string }
  | { type: 'error'; message: string }
  /** An ETL job was accepted. */
  | { type: 'job-submitted'; job: string; maxtasks: number; waitMs: number; total?: number }
  /** A job started a wave of copies. */
  | { type: 'job-wave'; job: string; wave: number; tasks: string[] }
  /** A job's wave completed; the next starts at `at`. */
  | { type: 'job-waiting'; job: string; at: number; succeeded: number; failed: number }
  /** A job ended: every copy of its `total` ran (`completed`), or a user deleted it. */
  | { type: 'job-ended'; job: string; status: 'completed' | 'deleted'; succeeded: number; failed: number }
  | { type: 'job-rejected'; job: string; message: string }
  /**
   * A pool node changed phase (`gone`: destroyed, or its agent was removed); `code` is Dynamic
   * Cluster's worker-node state.
   */
  | {
      type: 'pool-node';
      pool: string;
      hostname: string;
      state: 'starting' | 'booted' | 'ready' | 'error' | 'deleting' | 'gone';
      agent?: string;
      reason?: string;
    }
  /** Why a pool grows or shrinks: the queued tasks no agent can take, or the idle nodes. */
  | { type: 'pool-scale'; pool: string; direction: 'up' | 'down'; nodes: string[]; reason: string }
  /** A pool's bounds or mode changed. */
  | { type: 'pool'; pool: string; mode: PoolMode; min: number; max: number; size: number }
  | { type: 'pool-rejected'; pool: string; message: string }
  | { type: 'auto-scale'; enabled: boolean };
