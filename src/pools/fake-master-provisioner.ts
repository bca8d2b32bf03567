import { request } from 'undici';
import type { NodeRequest, Provisioner, ProvisionResult } from '../ports/provisioner.ts';

/** How long a fake master's machine takes to boot and register, per pool (simulated ms). */
export type DelaysOf = (pool: string) => { bootDelayMs: number; readyDelayMs: number } | undefined;

/**
 * Pools against `offerlab fake-master`: machines are ordered from the simulated cluster itself
 * (`POST /offerlab/machines`, `DELETE /offerlab/machines/<hostname>`), so a live run of a
 * scenario with pools needs no command templates. Each master is tried in turn (a failed leader
 * is down for a while); a real Mesos master answers 404, which is reported as such.
 */
export class FakeMasterProvisioner implements Provisioner {
  readonly #masters: readonly string[];
  readonly #delays: DelaysOf;
  readonly #timeoutMs: number;
  readonly #inFlight = new Set<AbortController>();
  #stopped = false;

  constructor(masters: readonly string[], delays: DelaysOf, timeoutMs = 600_000) {
    this.#masters = masters;
    this.#delays = delays;
    this.#timeoutMs = timeoutMs;
  }

  provision(req: NodeRequest, done: (result: ProvisionResult) => void): void {
    const delays = this.#delays(req.pool) ?? { bootDelayMs: 0, readyDelayMs: 0 };
    const body = JSON.stringify({
      pool: req.pool,
      hostname: req.hostname,
      template: req.template,
      ...delays,
    });
    void this.#order('POST', '/offerlab/machines', body, req, 'provision').then((r) => this.#done(done, r));
  }

  destroy(req: NodeRequest, done: (result: ProvisionResult) => void): void {
    const path = `/offerlab/machines/${encodeURIComponent(req.hostname)}`;
    void this.#order('DELETE', path, undefined, req, 'destroy').then((r) => this.#done(done, r));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const c of this.#inFlight) c.abort();
  }

  #done(done: (result: ProvisionResult) => void, result: ProvisionResult): void {
    if (!this.#stopped) done(result);
  }

  async #order(
    method: 'POST' | 'DELETE',
    path: string,
    body: string | undefined,
    req: NodeRequest,
    what: string,
  ): Promise<ProvisionResult> {
    const problems: string[] = [];
    for (const master of this.#masters) {
      const controller = new AbortController();
      this.#inFlight.add(controller);
      const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
      try {
        const res = await request(`${master}${path}`, {
          method,
          signal: controller.signal,
          ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
        });
        const text = (await res.body.text()).trim();
        if (res.statusCode < 300) return { ok: true };
        if (res.statusCode === 404)
          return {
            ok: false,
            message: `pool ${req.pool} has no ${what}_command and ${master} is not an offerlab fake master (${method} ${path}: 404)`,
          };
        return {
          ok: false,
          message: `${what} of ${req.hostname} refused by ${master}: ${res.statusCode} ${text}`,
        };
      } catch (err) {
        if (this.#stopped) return { ok: false, message: 'stopped' };
        problems.push(`${master}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
        this.#inFlight.delete(controller);
      }
    }
    return {
      ok: false,
      message: `${what} of ${req.hostname} failed: no master answered (${problems.join('; ')})`,
    };
  }
}
