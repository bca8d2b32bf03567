import type { Address } from '../../src/core/mesos/v1.ts';
import type { Random } from '../../src/core/random.ts';
import type { Simulation } from '../engine/simulation.ts';
import { uuidFrom } from './ids.ts';
import type { ClusterObserver, ClusterTiming, SimAgent, SimFramework, SimOffer, SimTask } from './types.ts';

/** Everything the simulated master knows, shared by the allocator, the agents and the call handlers. */
export interface ClusterState {
  readonly sim: Simulation;
  readonly timing: ClusterTiming;
  readonly random: {
    readonly ids: Random;
    readonly uuids: Random;
    readonly launch: Random;
    /** Parent of the per-task forks that place jittered usage spikes. */
    readonly usage: Random;
  };
  readonly observer: ClusterObserver;
  /** Wall-clock epoch (ms) that simulated time 0 stands for, for status timestamps. */
  readonly epochMs: number;
  masterId: string;
  /** False while no master leads (during a failover). */
  leading: boolean;
  /** Bumped on every master failover; stale heartbeat loops check it. */
  epoch: number;
  /** Simulated time the current leader was elected. */
  electedAt: number;
  readonly agents: Map<string, SimAgent>;
  agentSeq: number;
  readonly frameworks: Map<string, SimFramework>;
  frameworkSeq: number;
  /** Ids of frameworks removed for good (teardown, failover timeout). */
  readonly completed: Set<string>;
  readonly offers: Map<string, SimOffer>;
  offerSeq: number;
  /** Live (not yet forgotten) tasks by `<frameworkId>/<taskId>`. */
  readonly tasks: Map<string, SimTask>;
  /** Agents whose free resources may be offered at the next allocation. */
  readonly dirty: Set<string>;
  tickScheduled: boolean;
  /** Status update resends due per whole second (see agent-runtime.ts). */
  readonly retries: Map<number, { agentId: string; taskId: string; uuid: string }[]>;
  retryTickScheduled: boolean;
  /**
   * Where agents' own endpoints (`/monitor/statistics`) are served. Unset: each agent at its own
   * address (`<hostname>:5051`, path `/slave(1)`), as in a real cluster. Set (the fake master):
   * at this address under `/agents/<agent id>`.
   */
  agentsServedAt?: Address;
}

export function createClusterState(
  sim: Simulation,
  timing: ClusterTiming,
  random: Random,
  observer: ClusterObserver,
  epochMs: number,
): ClusterState {
  const ids = random.fork('ids');
  return {
    sim,
    timing,
    random: { ids, uuids: random.fork('uuids'), launch: random.fork('launch'), usage: random.fork('usage') },
    observer,
    epochMs,
    masterId: uuidFrom(ids),
    leading: true,
    epoch: 0,
    electedAt: 0,
    agents: new Map(),
    agentSeq: 0,
    frameworks: new Map(),
    frameworkSeq: 0,
    completed: new Set(),
    offers: new Map(),
    offerSeq: 0,
    tasks: new Map(),
    dirty: new Set(),
    tickScheduled: false,
    retries: new Map(),
    retryTickScheduled: false,
  };
}

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}/${taskId}`;
}
