import type { NodeTemplate } from '../core/pools/types.ts';

export type { NodeTemplate };

/** One machine to create or destroy, named by the hostname its Mesos agent will register with. */
export interface NodeRequest {
  readonly pool: string;
  readonly hostname: string;
  readonly template: NodeTemplate;
  /** The Mesos agent id, when the node's agent has registered (destroy only). */
  readonly agentId?: string;
}

/** What became of a request: `ok`, or a one-line message saying what went wrong. */
export type ProvisionResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Creates and destroys the machines of elastic pools (Dynamic Cluster's cloud tasks). The core
 * decides; a provisioner carries the decision out and reports back once, asynchronously. In the
 * simulator the machines are simulated agents that join after a boot and readiness delay; live,
 * configured command templates run (`pools/command-provisioner.ts`).
 */
export interface Provisioner {
  /** Starts a machine; `done` is called once when it booted (its agent registers with Mesos later) or failed. */
  provision(request: NodeRequest, done: (result: ProvisionResult) => void): void;
  /** Destroys a machine; `done` is called once when it is gone or the attempt failed. */
  destroy(request: NodeRequest, done: (result: ProvisionResult) => void): void;
  /** Stops whatever is in flight (commands are killed); no `done` is called after this. */
  stop(): Promise<void>;
}
