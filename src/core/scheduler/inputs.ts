import type { Event, Label } from '../mesos/v1.ts';
import type { TaskSpec } from '../spec/task-spec.ts';
import type { TaskKind } from './state.ts';

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
  | { readonly type: 'reshuffle' }
  | { readonly type: 'hold'; readonly hostname: string; readonly held: boolean; readonly reason?: string }
  /** Kill every task on an agent (Dynamic Cluster vacate). */
  | { readonly type: 'vacate'; readonly hostname: string }
  | { readonly type: 'pause'; readonly paused: boolean }
  /** A timer the core asked for came due. */
  | { readonly type: 'timer'; readonly key: string };
