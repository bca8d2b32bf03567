import type { Call } from '../core/mesos/v1.ts';
import type { Transport, TransportListener } from '../ports/transport.ts';

/** The part of the journal the gate needs: how far it has written and a way to wait for it. */
export interface SyncPoint {
  readonly lastSeq: number;
  readonly syncedSeq: number;
  synced(seq: number): Promise<void>;
}

/**
 * Write-ahead for calls: a call leaves only once every journal record appended before it is on
 * disk, so a launch intent is durable before its ACCEPT, an update before its ACKNOWLEDGE and the
 * framework id before any call that uses it. Calls keep their order; with nothing unsynced they
 * go straight through.
 */
export class GatedTransport implements Transport {
  readonly #inner: Transport;
  readonly #journal: SyncPoint;
  readonly #onError: (err: Error) => void;
  readonly #queue: { call: Call; barrier: number }[] = [];
  #stopped = false;

  constructor(inner: Transport, journal: SyncPoint, onError: (err: Error) => void) {
    this.#inner = inner;
    this.#journal = journal;
    this.#onError = onError;
  }

  start(listener: TransportListener): void {
    this.#inner.start(listener);
  }

  send(call: Call): void {
    if (this.#stopped) return;
    const barrier = this.#journal.lastSeq;
    if (this.#queue.length === 0 && this.#journal.syncedSeq >= barrier) {
      this.#inner.send(call);
      return;
    }
    this.#queue.push({ call, barrier });
    this.#journal.synced(barrier).then(
      () => this.#drain(),
      (err: Error) => this.#onError(err),
    );
  }

  /** Calls still waiting for the journal. */
  get waiting(): number {
    return this.#queue.length;
  }

  #drain(): void {
    while (!this.#stopped) {
      const head = this.#queue[0];
      if (!head || this.#journal.syncedSeq < head.barrier) return;
      this.#queue.shift();
      this.#inner.send(head.call);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    await this.#inner.stop();
  }
}
