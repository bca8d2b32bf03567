import type { SchedulerRecord } from '../core/scheduler/records.ts';

/** One entry of the daemon's event stream (`GET /v1/events`). */
export interface HubEvent {
  readonly id: number;
  /** Milliseconds since the daemon started. */
  readonly t: number;
  readonly record: SchedulerRecord;
}

/** Records that are task, node, job or pool changes, the ones the event stream carries. */
const STREAMED = new Set<SchedulerRecord['type']>([
  'task-submitted',
  'task-launched',
  'task-status',
  'kill-requested',
  'gave-up',
  'agent-added',
  'agent-removed',
  'agent-held',
  'paused',
  'subscribed',
  'disconnected',
  'reconciled',
  'reshuffle',
  'job-submitted',
  'job-wave',
  'job-waiting',
  'job-ended',
  'pool-node',
  'pool-scale',
  'pool',
  'auto-scale',
]);

/**
 * Fans task and node changes out to event-stream clients. Keeps the last `capacity` events so a
 * client that reconnects with `Last-Event-ID` misses nothing that is still kept (and learns when
 * something it missed is not).
 */
export class EventHub {
  readonly #capacity: number;
  readonly #ring: HubEvent[] = [];
  readonly #listeners = new Set<(e: HubEvent) => void>();
  #nextId: number;
  readonly #firstId: number;

  /**
   * `firstId` lets a daemon number its events above every id an earlier run of it handed out
   * (it passes its start time × 1000), so a client resuming across a restart is told to re-list
   * instead of being matched to unrelated events.
   */
  constructor(capacity = 10_000, firstId = 1) {
    this.#capacity = capacity;
    this.#nextId = firstId;
    this.#firstId = firstId;
  }

  publish(record: SchedulerRecord, t: number): void {
    if (!STREAMED.has(record.type)) return;
    const event: HubEvent = { id: this.#nextId++, t, record };
    this.#ring.push(event);
    if (this.#ring.length > this.#capacity) this.#ring.splice(0, this.#ring.length - this.#capacity);
    for (const listener of this.#listeners) listener(event);
  }

  /** Id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /**
   * Events after `afterId` still kept, and whether some after it were already dropped
   * (`complete: false`).
   */
  since(afterId: number): { events: HubEvent[]; complete: boolean } {
    const first = this.#ring[0];
    // 0 means "nothing yet": complete while this run's first event is still kept.
    const complete =
      first === undefined || first.id <= afterId + 1 || (afterId === 0 && first.id === this.#firstId);
    return { events: this.#ring.filter((e) => e.id > afterId), complete };
  }

  subscribe(listener: (e: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
