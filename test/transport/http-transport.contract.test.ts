import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from '../../src/adapters/seeded-random.ts';
import { SystemClock } from '../../src/adapters/system-clock.ts';
import { FakeMaster } from '../../src/fake-master/fake-master.ts';
import { HttpTransport } from '../../src/mesos-http/http-transport.ts';
import { type ContractWorld, transportContract } from './contract.ts';

const SPEED = 20;

for (const format of ['json', 'protobuf'] as const) {
  for (const masters of [1, 3]) {
    transportContract(
      `HttpTransport (${format}, ${masters} master${masters > 1 ? 's' : ''})`,
      async (): Promise<ContractWorld> => {
        const fake = new FakeMaster({
          ports: Array.from({ length: masters }, () => 0),
          agents: [1, 2].map((i) => ({
            hostname: `a-${i}`,
            resources: { cpus: 4, mem: 4096, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
            attributes: {},
          })),
          speed: SPEED,
          seed: 1,
        });
        const urls = await fake.start();
        const clock = new SystemClock(SPEED);
        const transport = new HttpTransport({
          masters: masters > 1 ? [urls[1] as string, ...urls] : urls,
          format,
          clock,
          random: new SeededRandom(3),
          reconnectBaseMs: 200,
          reconnectMaxMs: 2000,
        });
        return {
          transport,
          async until(cond, maxMs, what) {
            const end = clock.now() + maxMs;
            while (!cond()) {
              if (clock.now() >= end) throw new Error(`timed out waiting for ${what}`);
              await sleep(5);
            }
          },
          failover: (downMs) => fake.failover(downMs),
          close: async () => {
            clock.clear();
            await fake.stop();
          },
        };
      },
    );
  }
}
