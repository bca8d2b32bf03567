import type { IntelligenceEntry } from '../intelligence/family.ts';
import type { OverridesPatch } from '../intelligence/validate.ts';
import type { Event, Label } from '../mesos/v1.ts';
import type { JobSpec } from '../spec/job-spec.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { TaskKind } from './state.ts';

/** Metered usage of one launched task at the time of the input. */
export interface UsageSample {
  /** Unique task id (`<spec id>-<suffix>`). */
  readonly task: string;
  /** Memory in use, in MB = 2^20 bytes (Mesos' unit): e.g. `mem_rss_bytes / 1048576`. */
  readonly memMb: number;
  /** CPU in use, in shares (1 = one core). */
  readonly cpus: number;
}

/** What `intelligence-clear` forgets: everything (default), only the overrides, or only the history. */
export type IntelligenceClearScope = 'all' | 'overrides' | 'history';

/** Things that happened, fed into `step` one at a time. */
export type Input =
  /** The transport has a connection to the leading master; the scheduler should SUBSCRIBE. */
  | { readonly type: 'connected' }
  /** The subscription ended (stream closed, master failover, heartbeat timeout). */
  | { readonly type: 'disconnected'; readonly reason: string }
  /** One event from the subscription stream. */
  | { readonly type: 'event'; readonly event: Event }
  /** A non-subscribe call was refused by the master (HTTP 4xx) or could not be delivered. */
  | { readonly type: 'call-failed'; readonly call: string; readonly message: string }
  | {
      readonly type: 'submit';
      readonly spec: TaskSpec;
      readonly kind: TaskKind;
      readonly count?: number;
      /** Extra TaskInfo labels (the simulator reads its runtime and usage hints from them). */
      readonly labels?: readonly Label[];
    }
  /** Kill every task whose unique id starts with the prefix (Charmander's DELETE /client/task/<prefix>). */
  | { readonly type: 'kill'; readonly prefix: string }
  /**
   * Reshuffle with the configured strategy or the one named; a dry run only plans (the plan is
   * recorded) and changes nothing.
   */
  | { readonly type: 'reshuffle'; readonly strategy?: string; readonly dryRun?: boolean }
  | { readonly type: 'hold'; readonly hostname: string; readonly held: boolean; readonly reason?: string }
  /** Kill every task on an agent (Dynamic Cluster vacate). */
  | { readonly type: 'vacate'; readonly hostname: string }
  | { readonly type: 'pause'; readonly paused: boolean }
  /** A timer the core asked for came due. */
  | { readonly type: 'timer'; readonly key: string }
  /**
   * One metering round: usage of running tasks at `now`. Samples for unknown, queued or ended
   * tasks, for `notmetered` specs and with non-finite or negative values are ignored.
   */
  | { readonly type: 'usage'; readonly samples: readonly UsageSample[] }
  /**
   * Sets or removes a family's manual overrides (a value sets, `null` removes, absent keeps;
   * `replace: true` starts from none). Invalid values are refused with `intelligence-rejected`.
   */
  | {
      readonly type: 'intelligence-set';
      readonly id: string;
      readonly overrides: OverridesPatch;
      readonly replace?: boolean;
    }
  /** Forgets a family's intelligence (all of it by default). */
  | { readonly type: 'intelligence-clear'; readonly id: string; readonly what?: IntelligenceClearScope }
  /**
   * Imports intelligence (the export format). By default the import is the whole map: families
   * not in it are forgotten; `replace: false` only replaces the families it names. Validated as a
   * whole: one bad entry refuses the import (`intelligence-rejected`) and changes nothing.
   */
  | {
      readonly type: 'intelligence-import';
      readonly entries: readonly IntelligenceEntry[];
      readonly replace?: boolean;
    }
  /** Starts an ETL job (refused while a job with that id is running or waiting). */
  | { readonly type: 'job-submit'; readonly job: JobSpec; readonly labels?: readonly Label[] }
  /** Stops a job: no more waves, its copies in flight are killed. */
  | { readonly type: 'job-delete'; readonly id: string }
  /** Launches `count` more nodes in a pool now (refused beyond its max). */
  | { readonly type: 'pool-launch'; readonly pool: string; readonly count: number }
  /**
   * freeze: nothing starts or stops (min = max = current size); restore: the configured min/max
   * and no pool holds; drain: min = max = 0, every node held and destroyed once empty.
   */
  | { readonly type: 'pool-mode'; readonly pool: string; readonly action: 'freeze' | 'restore' | 'drain' }
  | { readonly type: 'auto-scale'; readonly enabled: boolean }
  /**
   * `DELETE /workernode/<hostname>` of a pool node: destroys it when it is held with no task,
   * starting, or in error (Dynamic Cluster's rule); refused otherwise with `pool-rejected`.
   */
  | { readonly type: 'pool-destroy'; readonly hostname: string }
  /** A provisioner finished creating (`provision`) or destroying a node. */
  | {
      readonly type: 'pool-result';
      readonly action: 'provision' | 'destroy';
      readonly hostname: string;
      readonly ok: boolean;
      readonly message?: string;
    };
