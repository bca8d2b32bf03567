import type {
  Event,
  FrameworkInfo,
  Resource,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../../src/core/mesos/v1.ts';
import type { Resources } from '../../src/core/model/resources.ts';
import type { TaskBehaviour } from '../../src/core/model/task-behaviour.ts';

/** Timing of the simulated cluster, in simulated milliseconds. */
export interface ClusterTiming {
  /** The allocator offers free resources once per interval (Mesos default 1 s). */
  readonly allocationIntervalMs: number;
  /** One-way latency between scheduler and master. */
  readonly latencyMs: number;
  /** STAGING → STARTING (image pull, container start); each task draws from ±50 % of it. */
  readonly launchDelayMs: number;
  /** STARTING → RUNNING. */
  readonly startDelayMs: number;
  /** TASK_KILLING → TASK_KILLED. */
  readonly killDelayMs: number;
  /**
   * A task's process is OOM-killed at the first millisecond its memory use (its usage profile)
   * exceeds its allocation; its TASK_FAILED is reported this long after that (for a task over its
   * limit from the start: this long after RUNNING).
   */
  readonly memoryKillDelayMs: number;
  readonly heartbeatIntervalMs: number;
  /** Agents resend an unacknowledged status update after this, doubling up to the max. */
  readonly statusRetryMs: number;
  readonly statusRetryMaxMs: number;
}

export const DEFAULT_TIMING: ClusterTiming = {
  allocationIntervalMs: 1000,
  latencyMs: 1,
  launchDelayMs: 1000,
  startDelayMs: 500,
  killDelayMs: 200,
  memoryKillDelayMs: 2000,
  heartbeatIntervalMs: 15_000,
  statusRetryMs: 10_000,
  statusRetryMaxMs: 600_000,
};

/** An agent to create: its hostname, total resources and attributes. */
export interface AgentSpec {
  readonly hostname: string;
  readonly resources: Resources;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the simulated cluster reports about itself (for traces and checks). */
export interface ClusterObserver {
  agentAdded?(agent: SimAgent): void;
  agentRemoved?(agent: SimAgent, reason: string): void;
  /** A task launched on an agent (master accepted it). */
  taskLaunched?(task: SimTask): void;
  /** A task's life on the agent ended (its resources are free again). */
  taskEnded?(task: SimTask): void;
}

/** The master's end of one subscription stream. */
export interface Connection {
  readonly streamId: string;
  frameworkId?: string;
  open: boolean;
  /** Pushes one event down the stream. */
  deliver(event: Event): void;
  /** Closes the stream (the scheduler sees a disconnection). */
  close(reason: string): void;
}

export type { TaskBehaviour } from '../../src/core/model/task-behaviour.ts';

export interface SimTask {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly info: TaskInfo;
  readonly resources: Resources;
  readonly behaviour: TaskBehaviour;
  /** State as the agent knows it. */
  state: TaskState;
  /** State of the last update the master forwarded to the framework. */
  forwardedState?: TaskState;
  /** The task's resources have been given back to the agent. */
  released: boolean;
  launchedAt: number;
  /** When the command started (TASK_RUNNING): time 0 of its usage profiles. */
  runningAt?: number;
  /** Seed of the task's jittered usage spikes (0 when no profile has jitter). */
  usageSeed?: number;
  /** When the memory isolation killed the process (its TASK_FAILED follows `memoryKillDelayMs` later). */
  oomAt?: number;
  killRequested: boolean;
}

export interface PendingUpdate {
  readonly status: TaskStatus;
  readonly uuid: string;
}

export interface SimAgent {
  readonly id: string;
  readonly hostname: string;
  readonly total: Resources;
  readonly attributes: Readonly<Record<string, string>>;
  /** Not used by tasks and not in an outstanding offer. */
  free: Resources;
  readonly tasks: Map<string, SimTask>;
  /** Per task: the queue of status updates, head in flight until acknowledged. */
  readonly updates: Map<string, PendingUpdate[]>;
  readonly retry: Map<string, { at: number; delay: number }>;
  removed: boolean;
  /** Simulated time the agent registered. */
  readonly registeredAt: number;
}

export interface SimOffer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly resources: Resources;
}

export interface SimFramework {
  readonly id: string;
  info: FrameworkInfo;
  connection?: Connection;
  /** Known to the current leading master (false after a master failover until it resubscribes). */
  registered: boolean;
  suppressed: boolean;
  partitionAware: boolean;
  killingState: boolean;
  /** Decline filters per agent. */
  readonly filters: Map<string, { until: number; resources: Resources }>;
  readonly offers: Set<string>;
  removed: boolean;
  disconnectedAt?: number;
  /** Simulated time the framework first subscribed. */
  readonly registeredAt: number;
}

/** Mesos resource objects for an offer or a task (unreserved, role "*"). */
export type MesosResources = Resource[];
