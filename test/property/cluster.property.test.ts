import test from 'ava';
import fc from 'fast-check';
import { simulate } from '../../src/run/simulate.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { roomyScenarioArb, scenarioArb } from '../helpers/arbitraries.ts';
import { fcParams, SEED } from '../helpers/property.ts';

function describe(s: Scenario): string {
  return JSON.stringify({
    seed: s.seed,
    policy: s.policy,
    agents: s.cluster.agents,
    workload: s.workload,
    faults: s.faults,
  });
}

test(`cluster property › every invariant holds after every event for generated clusters, workloads and faults (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(scenarioArb, (scenario) => {
      const r = simulate(scenario);
      if (r.violations.length > 0) {
        throw new Error(
          `${r.violations[0]?.invariant}: ${r.violations[0]?.message}\n${r.violations[0]?.line}\n${describe(scenario)}`,
        );
      }
      return r.fatal === undefined;
    }),
    fcParams(60),
  );
  t.pass();
});

test(`cluster property › the same scenario and seed give the same digest (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(scenarioArb, (scenario) => {
      const first = simulate(scenario).digest;
      const second = simulate(scenario).digest;
      return first === second;
    }),
    fcParams(15),
  );
  t.pass();
});

test(`cluster property › when capacity suffices every task ends up running (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(roomyScenarioArb, (scenario) => {
      const r = simulate(scenario);
      const submitted = scenario.workload.reduce(
        (n, w) => n + (w.item.kind === 'submit' ? w.item.count : 0),
        0,
      );
      if (r.metrics.tasks.running !== submitted || r.metrics.tasks.pending !== 0) {
        throw new Error(
          `running ${r.metrics.tasks.running}/${submitted}, pending ${r.metrics.tasks.pending}: ${r.pending.map((p) => `${p.task} ${p.why}`).join('; ')}\n${describe(scenario)}`,
        );
      }
      return r.violations.length === 0;
    }),
    fcParams(30),
  );
  t.pass();
});
