import type { NodeRequest, Provisioner, ProvisionResult } from '../ports/provisioner.ts';
import type { SyncPoint } from './gated-transport.ts';

/**
 * Write-ahead for machines: a provision or destroy leaves only once the journal has synced
 * everything appended before it (the node's record among them), so after a `kill -9` the daemon
 * knows every machine it may have asked for — and never reuses a node's name.
 */
export class GatedProvisioner implements Provisioner {
  readonly #inner: Provisioner;
  readonly #journal: SyncPoint;

  constructor(inner: Provisioner, journal: SyncPoint) {
    this.#inner = inner;
    this.#journal = journal;
  }

  provision(request: NodeRequest, done: (result: ProvisionResult) => void): void {
    this.#after(done, () => this.#inner.provision(request, done));
  }

  destroy(request: NodeRequest, done: (result: ProvisionResult) => void): void {
    this.#after(done, () => this.#inner.destroy(request, done));
  }

  stop(): Promise<void> {
    return this.#inner.stop();
  }

  #after(done: (result: ProvisionResult) => void, go: () => void): void {
    this.#journal
      .synced(this.#journal.lastSeq)
      .then(go, (err: Error) =>
        done({ ok: false, message: `the journal cannot be written: ${err.message}` }),
      );
  }
}
