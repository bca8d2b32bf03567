import type { NodeRequest, Provisioner, ProvisionResult } from '../ports/provisioner.ts';
import type { ScenarioPool } from '../scenario/types.ts';
import { CommandProvisioner } from './command-provisioner.ts';
import { FakeMasterProvisioner } from './fake-master-provisioner.ts';

/**
 * The live provisioner for a set of pools: a pool with command templates runs them
 * (`provision_command`, `destroy_command`); a pool without orders its machines from
 * `offerlab fake-master` (for trying pools against the simulated cluster over HTTP).
 */
export function livePoolProvisioner(
  pools: readonly ScenarioPool[],
  masters: readonly string[],
  log?: (line: string) => void,
): Provisioner {
  const byName = new Map(pools.map((p) => [p.name, p]));
  const commands = new CommandProvisioner(
    (name) => {
      const pool = byName.get(name);
      if (!pool) return undefined;
      return {
        ...(pool.provisionCommand !== undefined ? { provision: pool.provisionCommand } : {}),
        ...(pool.destroyCommand !== undefined ? { destroy: pool.destroyCommand } : {}),
        timeoutMs: pool.commandTimeoutMs,
      };
    },
    log ? { log } : {},
  );
  const fake = new FakeMasterProvisioner(masters, (name) => byName.get(name));
  const pick = (req: NodeRequest): Provisioner => {
    const pool = byName.get(req.pool);
    return pool?.provisionCommand !== undefined || pool?.destroyCommand !== undefined ? commands : fake;
  };
  return {
    provision: (req: NodeRequest, done: (r: ProvisionResult) => void) => pick(req).provision(req, done),
    destroy: (req: NodeRequest, done: (r: ProvisionResult) => void) => pick(req).destroy(req, done),
    stop: async () => {
      await Promise.all([commands.stop(), fake.stop()]);
    },
  };
}
