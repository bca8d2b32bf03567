import test from 'ava';
import { FakeMaster } from '../../src/fake-master/fake-master.ts';
import { scenarioCluster } from '../../src/fake-master/from-scenario.ts';
import { runLive } from '../../src/run/live.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';

test('live pools › a run that tears its framework down destroys its pool machines too', async (t) => {
  const scenario = loadScenarioFile('scenarios/elastic-pool.yaml');
  const fake = new FakeMaster({ ports: [0], ...scenarioCluster(scenario), speed: 500, seed: scenario.seed });
  const masters = await fake.start();
  try {
    const result = await runLive(scenario, { masters, speed: 500, teardown: true });
    t.is(result.fatal, undefined);
    t.deepEqual(
      result.expectations.filter((e) => !e.ok),
      [],
    );
    const hostnames = [...fake.master.cs.agents.values()]
      .filter((a) => !a.removed)
      .map((a) => a.hostname)
      .sort();
    t.deepEqual(hostnames, ['core-1', 'core-2'], 'the pool machine kept for its min went with the run');
  } finally {
    await fake.stop();
  }
});
