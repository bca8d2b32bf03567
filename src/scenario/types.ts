import type { Range } from '../core/mesos/v1.ts';
import type { UsageSpec } from '../core/model/usage-profile.ts';
import type { PoolConfig } from '../core/pools/types.ts';
import type { SchedulerConfig } from '../core/scheduler/config.ts';
import type { JobSpec } from '../core/spec/job-spec.ts';
import type { TaskSpec } from '../core/spec/task-spec.ts';

/** A group of identical agents, named `<name>-1` … `<name>-<count>`. */
export interface AgentGroup {
  readonly name: string;
  readonly count: number;
  readonly resources: {
    readonly cpus: number;
    readonly mem: number;
    readonly disk: number;
    readonly ports: readonly Range[];
  };
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * An elastic pool as a scenario (or `offerlab serve --cluster`) declares it: the core's pool, plus
 * the command templates that create and destroy its machines against a live cluster.
 */
export interface ScenarioPool extends PoolConfig {
  readonly provisionCommand?: string;
  readonly destroyCommand?: string;
  readonly commandTimeoutMs: number;
}

/**
 * What one submitted copy really does in the simulator. Usage is per resource a plain number
 * (constant, kept as written) or a profile with durations in ms (`usage-profile.ts`).
 */
export interface Behaviour {
  readonly usage?: { readonly mem?: UsageSpec; readonly cpus?: UsageSpec };
  readonly runtimeMs?: number;
}

export type Action =
  | {
      readonly kind: 'submit';
      readonly spec: TaskSpec;
      readonly count: number;
      readonly behaviour: Behaviour;
      readonly spreadMs: number;
    }
  | { readonly kind: 'kill'; readonly prefix: string }
  | { readonly kind: 'reshuffle'; readonly strategy?: string; readonly dryRun?: boolean }
  | { readonly kind: 'agents'; readonly group: AgentGroup }
  | { readonly kind: 'hold'; readonly hostname: string; readonly reason?: string }
  | { readonly kind: 'unhold'; readonly hostname: string }
  | { readonly kind: 'vacate'; readonly hostname: string }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  /** An ETL job; `behaviour` is what each copy does in the simulator. */
  | { readonly kind: 'job'; readonly job: JobSpec; readonly behaviour: Behaviour }
  /** Stops a job (`DELETE /job/<id>`). */
  | { readonly kind: 'job-delete'; readonly id: string }
  /** `PUT /resource/<name>?num=N` (launch) or `PUT /resource/<name>/<action>`. */
  | {
      readonly kind: 'pool';
      readonly pool: string;
      readonly launch?: number;
      readonly action?: 'freeze' | 'restore' | 'drain';
    }
  /** `PUT|DELETE /server/auto`. */
  | { readonly kind: 'auto'; readonly enabled: boolean };

export type Fault =
  | { readonly kind: 'agent-loss'; readonly hostname: string }
  | { readonly kind: 'master-failover'; readonly downMs: number };

export interface Timed<T> {
  readonly at: number;
  /** 1-based line in the scenario file, for messages. */
  readonly line: number;
  readonly item: T;
}

export interface Expectations {
  readonly running?: Readonly<Record<string, number>>;
  readonly pending?: Readonly<Record<string, number>>;
  readonly finished?: Readonly<Record<string, number>>;
  /** Copies of each job that finished (TASK_FINISHED) by the end. */
  readonly jobs?: Readonly<Record<string, number>>;
  /** Each pool's size at the end and the most nodes it had at once. */
  readonly pools?: Readonly<Record<string, { readonly size?: number; readonly peak?: number }>>;
}

/** Simulator timing overrides (ms). */
export interface TimingOverrides {
  allocationIntervalMs?: number;
  latencyMs?: number;
  launchDelayMs?: number;
  startDelayMs?: number;
  killDelayMs?: number;
  memoryKillDelayMs?: number;
  heartbeatIntervalMs?: number;
}

/** A validated, normalised scenario file (DESIGN ◆2.3). */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly cluster: {
    readonly agents: readonly AgentGroup[];
    readonly pools: readonly ScenarioPool[];
    readonly timing: TimingOverrides;
  };
  readonly policy: { readonly placement: string; readonly reshuffle: string; readonly sizing: string };
  /** Metering interval (ms); undefined when the scenario does not meter usage. */
  readonly meteringMs?: number;
  readonly scheduler: Partial<SchedulerConfig>;
  /** In time order (ties keep file order). */
  readonly workload: readonly Timed<Action>[];
  readonly faults: readonly Timed<Fault>[];
  readonly expect: Expectations;
}
