import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { FakeMaster } from '../../src/fake-master/fake-master.ts';
import { scenarioCluster } from '../../src/fake-master/from-scenario.ts';
import type { WireFormat } from '../../src/mesos-http/codec/codec.ts';
import { runPassed } from '../../src/report/run-result.ts';
import { runLive } from '../../src/run/live.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';

/** Every scenario file; all of them are meant for live runs too. */
export const SCENARIO_FILES = readdirSync('scenarios')
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

/** Scenario time runs this many times faster than the wall clock, on both sides of the wire. */
export const LIVE_SPEED = 500;

/**
 * Runs a scenario file with `--transport=http` against an in-process fake master on loopback
 * and checks what the CLI checks (expectations, invariants, nothing fatal), then asks the master
 * itself: each `running` expectation must match the tasks the master has running, so nothing was
 * lost and nothing duplicated on the way over the wire.
 */
export async function passesLive(
  t: ExecutionContext,
  file: string,
  masters: number,
  format: WireFormat,
): Promise<void> {
  const scenario = loadScenarioFile(join('scenarios', file));
  const fake = new FakeMaster({
    ports: Array.from({ length: masters }, () => 0),
    ...scenarioCluster(scenario),
    speed: LIVE_SPEED,
    seed: scenario.seed,
  });
  const urls = await fake.start();
  try {
    const result = await runLive(scenario, { masters: urls, format, speed: LIVE_SPEED, teardown: false });
    t.is(result.fatal, undefined);
    t.deepEqual(result.violations, [], 'no invariant broke');
    t.deepEqual(
      result.expectations.filter((e) => !e.ok),
      [],
      'every expectation held',
    );
    t.true(runPassed(result));
    const runningAtMaster = new Map<string, number>();
    for (const task of fake.master.cs.tasks.values()) {
      if (task.forwardedState !== 'TASK_RUNNING') continue;
      const specId = task.id.replace(/-\d{6}$/, '');
      runningAtMaster.set(specId, (runningAtMaster.get(specId) ?? 0) + 1);
    }
    for (const e of result.expectations.filter((x) => x.kind === 'running')) {
      t.is(runningAtMaster.get(e.id) ?? 0, e.expected, `${e.id} running at the master`);
    }
    const frameworks = [...fake.master.cs.frameworks.values()].filter((f) => !f.removed);
    t.is(frameworks.length, 1, 'one framework, resubscribed with the same id after any failover');
  } finally {
    await fake.stop();
  }
}
