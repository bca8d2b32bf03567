import test from 'ava';
import { parseScenario, ScenarioError } from '../../src/scenario/load.ts';

function refuse(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    if (err instanceof ScenarioError)
      return err.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`);
    throw err;
  }
  throw new Error('the scenario was accepted');
}

const POOL = `name: x
duration: 10m
cluster:
  pools:
    - name: burst
      min: 1
      max: 4
      resources: { cpus: 4, mem: 8192, ports: "31000-31010" }
      attributes: { nodetype: batch }
      boot_delay: 30s
      max_idle_time: 2m
`;

test('pools › a cluster of pools alone is a cluster, with defaults filled in', (t) => {
  const s = parseScenario(POOL, 'x.yaml');
  t.deepEqual(s.cluster.agents, []);
  t.deepEqual(s.cluster.pools, [
    {
      name: 'burst',
      min: 1,
      max: 4,
      template: { cpus: 4, mem: 8192, disk: 0, ports: '31000-31010', attributes: { nodetype: 'batch' } },
      bootDelayMs: 30_000,
      readyDelayMs: 15_000,
      maxLaunchTimeMs: 1_200_000,
      maxIdleTimeMs: 120_000,
      commandTimeoutMs: 600_000,
    },
  ]);
});

test('pools › a cluster with neither agents nor pools is refused', (t) => {
  t.deepEqual(refuse('name: x\nduration: 1m\ncluster: {}\n'), [
    '3:10 /cluster needs agents or pools (a cluster with neither has nowhere to run anything)',
  ]);
});

test('pools › min above max, a name taken by an agent group and a bad duration are named', (t) => {
  const text = `name: x
duration: 1m
cluster:
  agents:
    - { name: lab, resources: { cpus: 1, mem: 512 } }
  pools:
    - { name: lab, min: 5, max: 2, resources: { cpus: 1, mem: 512 }, boot_delay: soon }
`;
  const problems = refuse(text);
  t.true(
    problems.some((p) => /\/cluster\/pools\/0\/name "lab" is already an agent group/.test(p)),
    problems.join('\n'),
  );
  t.true(problems.some((p) => /\/cluster\/pools\/0\/min .*must not exceed max \(2\)/.test(p)));
  t.true(problems.some((p) => /\/cluster\/pools\/0\/boot_delay must be a duration/.test(p)));
});

test('pools › pool actions name a pool that exists, and need launch or action', (t) => {
  const problems = refuse(`${POOL}workload:
  - at: 1m
    pool: { name: nope, action: drain }
  - at: 2m
    pool: { name: burst }
`);
  t.true(
    problems.some((p) => p.includes('/workload/0/pool/name no pool is named "nope" (pools: burst)')),
    problems.join('\n'),
  );
  t.true(problems.some((p) => p.includes('/workload/1/pool needs exactly one of launch')));
});

test('pools › a hold may name a pool node, which exists only while the run goes', (t) => {
  const s = parseScenario(`${POOL}workload:\n  - at: 5m\n    hold: burst-2\n`, 'x.yaml');
  t.deepEqual(s.workload[0]?.item, { kind: 'hold', hostname: 'burst-2' });
});

test('jobs › a job action takes the task fields with maxtasks, wait and total beside them', (t) => {
  const s = parseScenario(
    `${POOL}workload:
  - at: 0s
    job: { id: etl, dockerimage: busybox, cmd: "sleep 5", mem: "64", maxtasks: 3, wait: 90s, total: "12" }
    runtime: 1m
  - at: 5m
    delete-job: etl
  - at: 6m
    auto: false
`,
    'x.yaml',
  );
  t.deepEqual(s.workload[0]?.item, {
    kind: 'job',
    job: {
      task: { id: 'etl', dockerimage: 'busybox', mem: 64, cpus: 0.1, cmd: 'sleep 5' },
      maxtasks: 3,
      waitMs: 90_000,
      total: 12,
    },
    behaviour: { runtimeMs: 60_000 },
  });
  t.deepEqual(s.workload[1]?.item, { kind: 'job-delete', id: 'etl' });
  t.deepEqual(s.workload[2]?.item, { kind: 'auto', enabled: false });
});

test('jobs › a job with bad fields is refused at each field, and count does not apply', (t) => {
  const text = `${POOL}workload:
  - at: 0s
    job: { id: etl, dockerimage: busybox, mem: 64, maxtasks: 0, wait: later, color: red }
    count: 2
`;
  const problems = refuse(text);
  for (const expected of [
    '/workload/0/job/maxtasks must be a whole number from 1 to 10000, got 0',
    '/workload/0/job/wait must be seconds (0 to 2147483) or a duration like "90s", got "later"',
    '/workload/0/job/color unknown field "color"',
    '/workload/0/count only applies to submit',
  ])
    t.true(
      problems.some((p) => p.includes(expected)),
      `${expected}\nin\n${problems.join('\n')}`,
    );
});

test('expectations › pool expectations must name a pool', (t) => {
  const problems = refuse(`${POOL}expect:\n  pools: { other: { size: 1 } }\n`);
  t.true(
    problems.some((p) => p.includes('/expect/pools/other no pool is named "other"')),
    problems.join('\n'),
  );
});
