import { SimMaster } from '../../sim/cluster/master.ts';
import { Simulation } from '../../sim/engine/simulation.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { SeededRandom } from '../../src/adapters/seeded-random.ts';
import { type ContractWorld, transportContract } from './contract.ts';

transportContract('SimTransport', async (): Promise<ContractWorld> => {
  const sim = new Simulation();
  const master = new SimMaster(sim, new SeededRandom(1));
  for (let i = 1; i <= 2; i++) {
    master.addAgent({
      hostname: `a-${i}`,
      resources: { cpus: 4, mem: 4096, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
      attributes: {},
    });
  }
  const transport = new SimTransport(sim, master, new SeededRandom(2), { latencyMs: 1 });
  return {
    transport,
    async until(cond, maxMs, what) {
      const end = sim.now() + maxMs;
      while (!cond()) {
        if (sim.now() >= end) throw new Error(`timed out waiting for ${what}`);
        sim.runUntil(sim.now() + 5);
      }
    },
    failover: (downMs) => master.failover(downMs),
    close: async () => undefined,
  };
});
