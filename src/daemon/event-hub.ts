import type { SchedulerRecord } from '../core/scheduler/records.ts';

/** One entry of the daemon's event stream (`GET /v1/events`). */
export interface HubEvent {
  readonly id: number;
  /** Milliseconds since the daemon started. */
  readonly t: number;
  readonly record: SchedulerRecord;
}

/** Records that are task or node changes, the ones the event stream carries. */
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
  #nextId = 1;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
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
    const complete = first === undefined || first.id <= afterId + 1;
    return { events: this.#ring.filter((e) => e.id > afterId), complete };
  }

  subscribe(listener: (e: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
