import { parseRanges } from '../../src/core/model/resources.ts';
import type { NodeRequest, Provisioner, ProvisionResult } from '../../src/ports/provisioner.ts';
import type { SimMaster } from './master.ts';

/** Schedules a callback on the simulation's clock. */
export interface SimScheduler {
  after(delayMs: number, fire: () => void): void;
}

/** How long a machine takes to boot, and then until its agent has registered (simulated ms). */
export interface MachineDelays {
  readonly bootDelayMs: number;
  readonly readyDelayMs: number;
}

/**
 * Machines of elastic pools in the simulated cluster: a provisioned machine boots after its
 * `bootDelayMs` (the provisioner answers then) and its agent joins the master `readyDelayMs`
 * later, with the request's resources and attributes (plus `nodename` = hostname, like every
 * simulated agent); a destroyed machine's agent leaves the master at once. A machine destroyed
 * before its agent joined never joins. Unknown pools (no delays) are refused.
 */
export class SimProvisioner implements Provisioner {
  readonly #sim: SimScheduler;
  readonly #master: SimMaster;
  readonly #delays: (request: NodeRequest) => MachineDelays | undefined;
  /** Machines whose agent has not joined yet. */
  readonly #booting = new Set<string>();
  #stopped = false;

  constructor(
    sim: SimScheduler,
    master: SimMaster,
    delays: (request: NodeRequest) => MachineDelays | undefined,
  ) {
    this.#sim = sim;
    this.#master = master;
    this.#delays = delays;
  }

  provision(request: NodeRequest, done: (result: ProvisionResult) => void): void {
    const delays = this.#delays(request);
    if (!delays) {
      this.#answer(done, { ok: false, message: `the simulated cluster has no pool "${request.pool}"` });
      return;
    }
    const ports = request.template.ports === '' ? [] : parseRanges(request.template.ports);
    if (!ports) {
      this.#answer(done, {
        ok: false,
        message: `ports must be port ranges, got "${request.template.ports}"`,
      });
      return;
    }
    if (this.#booting.has(request.hostname) || this.#master.agentByHostname(request.hostname)) {
      this.#answer(done, { ok: false, message: `a machine named ${request.hostname} exists already` });
      return;
    }
    this.#booting.add(request.hostname);
    this.#sim.after(delays.bootDelayMs, () => {
      if (this.#stopped) return;
      done({ ok: true });
      this.#sim.after(delays.readyDelayMs, () => {
        if (this.#stopped || !this.#booting.delete(request.hostname)) return;
        const t = request.template;
        this.#master.addAgent({
          hostname: request.hostname,
          resources: { cpus: t.cpus, mem: t.mem, disk: t.disk, ports },
          attributes: { nodename: request.hostname, ...t.attributes },
        });
      });
    });
  }

  destroy(request: NodeRequest, done: (result: ProvisionResult) => void): void {
    this.#booting.delete(request.hostname);
    const agent = this.#master.agentByHostname(request.hostname);
    if (agent) this.#master.removeAgent(agent.id, `pool ${request.pool}: machine destroyed`);
    this.#answer(done, { ok: true });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
  }

  #answer(done: (result: ProvisionResult) => void, result: ProvisionResult): void {
    this.#sim.after(0, () => {
      if (!this.#stopped) done(result);
    });
  }
}
