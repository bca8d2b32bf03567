/** The machine a pool's node runs on: what its Mesos agent will offer and the attributes it carries. */
export interface NodeTemplate {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  /** Port ranges as "lo-hi,lo-hi" (empty: none). */
  readonly ports: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * An elastic pool of agents (Dynamic Cluster's "resource"): machines offerlab creates and destroys
 * itself, all alike, named `<pool>-<n>`.
 */
export interface PoolConfig {
  readonly name: string;
  /** Fewest nodes the pool keeps (auto mode provisions up to it). */
  readonly min: number;
  /** Most nodes the pool ever has, in any state. */
  readonly max: number;
  /** What each node's agent offers, and its attributes (`nodetype` matches tasks' nodetype). */
  readonly template: NodeTemplate;
  /** Simulator only: time from the request until the machine has booted. */
  readonly bootDelayMs: number;
  /** Simulator only: time from boot until its agent has registered with the master. */
  readonly readyDelayMs: number;
  /** A node whose agent has not shown up this long after the request is an Error and destroyed. */
  readonly maxLaunchTimeMs: number;
  /** Auto mode holds and removes a node idle this long (never below `min`). */
  readonly maxIdleTimeMs: number;
}

/**
 * Where offerlab is with one node. `starting`: creation requested; `booted`: the machine is up,
 * its agent not yet seen; `up`: its agent is known (Idle/Busy/Holding/Held follow from the
 * agent); `error`: creation failed, the agent never came, or a destroy failed; `deleting`:
 * destroy requested.
 */
export type PoolNodePhase = 'starting' | 'booted' | 'up' | 'error' | 'deleting';

export interface PoolNode {
  readonly hostname: string;
  readonly pool: string;
  phase: PoolNodePhase;
  readonly requestedAt: number;
  /** When the node entered its phase. */
  since: number;
  agentId?: string;
  /** First pool check that found the node up, not held and without tasks (cleared when busy). */
  idleSince?: number;
  /** What went wrong last (error phase). */
  message?: string;
  /** Destroys tried and failed. */
  destroyFailures: number;
  /** A destroy is waiting for its provision to finish first. */
  destroyWhenBooted?: boolean;
  /** The pool holds the node's agent (to empty it, or to destroy it); an operator's hold is not this. */
  poolHold?: boolean;
  /** First check of an `up` node that found no agent. */
  missingSince?: number;
}

/** `normal`: min/max from the configuration; `frozen`: nothing changes; `draining`: min = max = 0. */
export type PoolMode = 'normal' | 'frozen' | 'draining';

export interface PoolState {
  readonly config: PoolConfig;
  min: number;
  max: number;
  mode: PoolMode;
  /** Next node number (`<pool>-<n>`); never reused. */
  nextIndex: number;
  /** Nodes by hostname, in creation order. */
  readonly nodes: Map<string, PoolNode>;
  /** Destroyed nodes whose pool hold is released once Mesos forgets their agent. */
  readonly releaseHolds: Set<string>;
}

/** Dynamic Cluster's worker-node state codes. */
export const WorkerNodeCode = {
  Inexistent: 0,
  Starting: 1,
  Idle: 2,
  Busy: 3,
  Error: 4,
  Deleting: 5,
  Holding: 6,
  Held: 7,
} as const;
export type WorkerNodeCodeValue = (typeof WorkerNodeCode)[keyof typeof WorkerNodeCode];

export function newPool(config: PoolConfig): PoolState {
  return {
    config,
    min: config.min,
    max: config.max,
    mode: 'normal',
    nextIndex: 1,
    nodes: new Map(),
    releaseHolds: new Set(),
  };
}
