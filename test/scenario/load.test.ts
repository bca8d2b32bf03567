import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  groupHostnames,
  loadScenarioFile,
  type Problem,
  parseScenario,
  ScenarioError,
} from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'offerlab-load-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
/** Writes `text` to a fresh file in the temporary directory and returns its path. */
function writeTemp(text: string, name = `s${++fileCounter}.yaml`): string {
  const sub = join(dir, String(++fileCounter));
  mkdirSync(sub);
  const file = join(sub, name);
  writeFileSync(file, text);
  return file;
}

/** 1-based line and column of the `nth` occurrence (1-based) of `needle` in `text`. */
function where(text: string, needle: string, nth = 1): { line: number; col: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" occurs fewer than ${nth} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: (before[before.length - 1] as string).length + 1 };
}

/** Parses text that must be refused and returns the ScenarioError. */
function refuse(text: string, file = 'x.yaml'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('the scenario was accepted');
}

/** `line:col path message` of every problem, for compact assertions. */
function lines(err: ScenarioError): string[] {
  return err.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`);
}

/** A valid scenario header: name, duration and one group `lab` of two agents. */
const HEAD = `name: x
duration: 1m
cluster:
  agents:
    - name: lab
      count: 2
      resources: { cpus: 4, mem: 4096 }
`;

/** The example of DESIGN ◆2.3, verbatim. */
const DESIGN_EXAMPLE = `name: stress-load                 # required
description: free text
seed: 42                          # default seed; --seed overrides
duration: 30m                     # simulated horizon; units ms, s, m, h
cluster:
  agents:                         # groups of identical agents, named <name>-1 … <name>-<count>
    - name: lab
      count: 4
      resources: { cpus: 4, mem: 4096, disk: 20000, ports: "31000-32000" }
      attributes: { nodetype: lab }
policy:                           # a policy is a named bundle; \`--policy\`/\`--policies\` pick bundles
  placement: first-fit            # first-fit | bin-pack | spread | usage-aware (more may be added)
  reshuffle: charmander           # charmander | planned (from the reshuffle issue on)
workload:                         # user actions, in time order
  - at: 0s
    submit: { id: cadvisor, dockerimage: "google/cadvisor:0.6.2", mem: "50", sla: one-per-node }
  - at: 5s
    submit: { id: stress60, dockerimage: stress, mem: "100", nodetype: lab, reshuffleable: true }
    count: 6                      # submit this many copies (default 1)
    usage: { mem: 60, cpus: 0.5 } # what each copy really uses in the sim (default: what it asked)
    runtime: 2m                   # finishes (TASK_FINISHED) after this; omit = runs until killed
  - at: 6m
    submit: { id: probe, dockerimage: busybox, mem: 16 }
  - at: 10m
    kill: probe                   # task-id prefix, like DELETE /client/task/<prefix>
  - at: 12m
    reshuffle: {}
  - at: 13m
    agents: { name: late, count: 1, resources: { cpus: 4, mem: 4096 }, attributes: { nodetype: lab } }
faults:
  - at: 90s
    agent-loss: lab-2             # the agent disappears; its tasks are lost
expect:                           # checked at the end; failures make \`run\` exit 2
  running: { cadvisor: 4, stress60: 6, probe: 0 }   # running copies per spec id at the end
`;

// ---------------------------------------------------------------------------------------------
// Valid files

test('scenario loader › loads the example scenario of the design document', (t) => {
  const s = parseScenario(DESIGN_EXAMPLE, 'stress-load.yaml');
  t.is(s.file, 'stress-load.yaml');
  t.is(s.name, 'stress-load');
  t.is(s.description, 'free text');
  t.is(s.seed, 42);
  t.is(s.durationMs, 30 * 60_000);
  t.deepEqual(s.cluster.agents, [
    {
      name: 'lab',
      count: 4,
      resources: { cpus: 4, mem: 4096, disk: 20000, ports: [{ begin: 31000, end: 32000 }] },
      attributes: { nodetype: 'lab' },
    },
  ]);
  t.deepEqual(s.policy, { placement: 'first-fit', reshuffle: 'charmander', sizing: 'off' });
  t.deepEqual(
    s.workload.map((w) => [w.at, w.item.kind]),
    [
      [0, 'submit'],
      [5000, 'submit'],
      [360_000, 'submit'],
      [600_000, 'kill'],
      [720_000, 'reshuffle'],
      [780_000, 'agents'],
    ],
  );
  const stress = s.workload[1]?.item;
  t.like(stress, {
    kind: 'submit',
    count: 6,
    spreadMs: 0,
    spec: {
      id: 'stress60',
      dockerimage: 'stress',
      mem: 100,
      cpus: 0.1,
      nodetype: 'lab',
      reshuffleable: true,
    },
    behaviour: { usage: { mem: 60, cpus: 0.5 }, runtimeMs: 120_000 },
  });
  t.deepEqual(s.workload[3]?.item, { kind: 'kill', prefix: 'probe' });
  t.deepEqual(s.faults, [{ at: 90_000, line: 31, item: { kind: 'agent-loss', hostname: 'lab-2' } }]);
  t.deepEqual(s.expect, { running: { cadvisor: 4, stress60: 6, probe: 0 } });
});

test('scenario loader › records the 1-based file line of every workload item', (t) => {
  const s = parseScenario(DESIGN_EXAMPLE, 'stress-load.yaml');
  t.deepEqual(
    s.workload.map((w) => w.line),
    [15, 17, 22, 24, 26, 28],
  );
});

const EQUIVALENT_YAML = `name: twins
description: the same scenario twice
seed: 7
duration: 1h30m
cluster:
  agents:
    - name: web
      count: 2
      resources: { cpus: 2, mem: 2048, disk: 500, ports: "8000-8100,9000" }
      attributes: { nodetype: web, rack: 3 }
  timing:
    allocation-interval: 2s
policy:
  placement: bin-pack
scheduler:
  relaunch-backoff: 500ms
  batch-retries: 2
workload:
  - at: 1m
    submit: { id: api, dockerimage: nginx, mem: "128", cpus: "0.5" }
    count: 3
    usage: { mem: 100 }
    runtime: 10m
    spread: 2s
  - at: 0s
    hold: web-2
  - at: 2m
    kill: api
faults:
  - at: 20m
    master-failover: { down: 15s }
  - at: 10m
    agent-loss: web-1
expect:
  running: { api: 0 }
  finished: { api: 3 }
`;

const EQUIVALENT_JSON = JSON.stringify(
  {
    name: 'twins',
    description: 'the same scenario twice',
    seed: 7,
    duration: '1h30m',
    cluster: {
      agents: [
        {
          name: 'web',
          count: 2,
          resources: { cpus: 2, mem: 2048, disk: 500, ports: '8000-8100,9000' },
          attributes: { nodetype: 'web', rack: 3 },
        },
      ],
      timing: { 'allocation-interval': '2s' },
    },
    policy: { placement: 'bin-pack' },
    scheduler: { 'relaunch-backoff': '500ms', 'batch-retries': 2 },
    workload: [
      {
        at: '1m',
        submit: { id: 'api', dockerimage: 'nginx', mem: '128', cpus: '0.5' },
        count: 3,
        usage: { mem: 100 },
        runtime: '10m',
        spread: '2s',
      },
      { at: '0s', hold: 'web-2' },
      { at: '2m', kill: 'api' },
    ],
    faults: [
      { at: '20m', 'master-failover': { down: '15s' } },
      { at: '10m', 'agent-loss': 'web-1' },
    ],
    expect: { running: { api: 0 }, finished: { api: 3 } },
  },
  null,
  2,
);

/** The scenario without what depends on the file's layout: its name and the items' lines. */
function layoutFree(s: Scenario): unknown {
  const { file: _file, workload, faults, ...rest } = s;
  return {
    ...rest,
    workload: workload.map(({ at, item }) => ({ at, item })),
    faults: faults.map(({ at, item }) => ({ at, item })),
  };
}

test('scenario loader › gives the same scenario for a YAML file and the equivalent JSON file', (t) => {
  const yamlFile = writeTemp(EQUIVALENT_YAML, 'twins.yaml');
  const jsonFile = writeTemp(EQUIVALENT_JSON, 'twins.json');
  const fromYaml = loadScenarioFile(yamlFile);
  const fromJson = loadScenarioFile(jsonFile);
  t.is(fromYaml.file, yamlFile);
  t.is(fromJson.file, jsonFile);
  t.deepEqual(layoutFree(fromJson), layoutFree(fromYaml));
  // and the shared result is the right one
  t.is(fromYaml.durationMs, 5_400_000);
  t.deepEqual(fromYaml.cluster.agents[0]?.resources.ports, [
    { begin: 8000, end: 8100 },
    { begin: 9000, end: 9000 },
  ]);
  t.deepEqual(fromYaml.cluster.agents[0]?.attributes, { nodetype: 'web', rack: '3' });
  t.deepEqual(fromYaml.cluster.timing, { allocationIntervalMs: 2000 });
  t.deepEqual(fromYaml.scheduler, { relaunchBackoffMs: 500, batchMaxRetries: 2 });
  t.deepEqual(fromYaml.policy, { placement: 'bin-pack', reshuffle: 'charmander', sizing: 'off' });
  t.deepEqual(
    fromYaml.workload.map((w) => w.item.kind),
    ['hold', 'submit', 'kill'],
  );
  t.like(fromYaml.workload[1]?.item, {
    kind: 'submit',
    count: 3,
    spreadMs: 2000,
    spec: { id: 'api', mem: 128, cpus: 0.5 },
    behaviour: { usage: { mem: 100 }, runtimeMs: 600_000 },
  });
  t.deepEqual(
    fromYaml.faults.map((f) => f.item),
    [
      { kind: 'agent-loss', hostname: 'web-1' },
      { kind: 'master-failover', downMs: 15_000 },
    ],
  );
  t.deepEqual(fromYaml.expect, { running: { api: 0 }, finished: { api: 3 } });
});

test('scenario loader › fills in the defaults', (t) => {
  const s = parseScenario(
    `name: minimal
duration: 10s
cluster:
  agents:
    - name: a
      resources: { cpus: 1, mem: 512 }
workload:
  - at: 0s
    submit: { id: t, dockerimage: busybox, mem: 16 }
`,
    'minimal.yaml',
  );
  t.is(s.seed, 1);
  t.deepEqual(s.policy, { placement: 'first-fit', reshuffle: 'charmander', sizing: 'off' });
  t.false('description' in s);
  t.deepEqual(s.cluster, {
    agents: [
      {
        name: 'a',
        count: 1,
        resources: { cpus: 1, mem: 512, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
        attributes: {},
      },
    ],
    pools: [],
    timing: {},
  });
  t.deepEqual(s.scheduler, {});
  t.deepEqual(s.faults, []);
  t.deepEqual(s.expect, {});
  t.deepEqual(s.workload[0]?.item, {
    kind: 'submit',
    spec: { id: 't', dockerimage: 'busybox', mem: 16, cpus: 0.1 },
    count: 1,
    spreadMs: 0,
    behaviour: {},
  });
});

test('scenario loader › takes a master failover without `down` as 10 seconds down', (t) => {
  const s = parseScenario(`${HEAD}faults:\n  - at: 1m\n    master-failover: {}\n`, 'x.yaml');
  t.deepEqual(s.faults[0]?.item, { kind: 'master-failover', downMs: 10_000 });
});

test('scenario loader › sorts the workload by time and keeps file order on ties', (t) => {
  const s = parseScenario(
    `${HEAD}workload:
  - at: 10s
    kill: a
  - at: 0s
    kill: b
  - at: 10s
    kill: c
  - at: 5s
    kill: d
  - at: 0ms
    kill: e
  - at: 10000
    kill: f
`,
    'x.yaml',
  );
  t.deepEqual(
    s.workload.map((w) => (w.item.kind === 'kill' ? w.item.prefix : w.item.kind)),
    ['b', 'e', 'd', 'a', 'c', 'f'],
  );
  t.deepEqual(
    s.workload.map((w) => w.at),
    [0, 0, 5000, 10_000, 10_000, 10_000],
  );
  t.deepEqual(
    s.workload.map((w) => w.line),
    [11, 17, 15, 9, 13, 19],
  );
});

test('scenario loader › sorts the faults by time and keeps file order on ties', (t) => {
  const s = parseScenario(
    `${HEAD}faults:
  - at: 2m
    agent-loss: lab-1
  - at: 1m
    master-failover: { down: 1s }
  - at: 2m
    agent-loss: lab-2
`,
    'x.yaml',
  );
  t.deepEqual(
    s.faults.map((f) => f.item),
    [
      { kind: 'master-failover', downMs: 1000 },
      { kind: 'agent-loss', hostname: 'lab-1' },
      { kind: 'agent-loss', hostname: 'lab-2' },
    ],
  );
});

test('scenario loader › names the agents of a group <group>-1 … <group>-<count>', (t) => {
  const s = parseScenario(
    `name: x
duration: 1m
cluster:
  agents:
    - name: lab
      count: 3
      resources: { cpus: 4, mem: 4096 }
    - name: analytics
      resources: { cpus: 4, mem: 4096 }
`,
    'x.yaml',
  );
  t.deepEqual(s.cluster.agents.map(groupHostnames), [['lab-1', 'lab-2', 'lab-3'], ['analytics-1']]);
});

test('scenario loader › knows the agents that a workload item adds, for hold and agent-loss', (t) => {
  const s = parseScenario(
    `${HEAD}workload:
  - at: 1m
    agents: { name: late, count: 2, resources: { cpus: 1, mem: 1024 } }
  - at: 2m
    hold: late-2
  - at: 3m
    unhold: late-2
  - at: 4m
    vacate: lab-1
faults:
  - at: 5m
    agent-loss: late-1
`,
    'x.yaml',
  );
  t.deepEqual(
    s.workload.map((w) => w.item),
    [
      {
        kind: 'agents',
        group: {
          name: 'late',
          count: 2,
          resources: { cpus: 1, mem: 1024, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
          attributes: {},
        },
      },
      { kind: 'hold', hostname: 'late-2' },
      { kind: 'unhold', hostname: 'late-2' },
      { kind: 'vacate', hostname: 'lab-1' },
    ],
  );
  t.deepEqual(s.faults[0]?.item, { kind: 'agent-loss', hostname: 'late-1' });
});

test('scenario loader › accepts pause, resume and reshuffle as empty mappings', (t) => {
  const s = parseScenario(
    `${HEAD}workload:\n  - at: 1s\n    pause: {}\n  - at: 2s\n    resume: {}\n  - at: 3s\n    reshuffle: {}\n`,
    'x.yaml',
  );
  t.deepEqual(
    s.workload.map((w) => w.item),
    [{ kind: 'pause' }, { kind: 'resume' }, { kind: 'reshuffle' }],
  );
});

const scenarioDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const shipped = readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml'));

test('scenario loader › finds the shipped scenario files', (t) => {
  t.true(shipped.includes('default.yaml'));
});

for (const name of shipped) {
  test(`scenario loader › loads scenarios/${name} without a problem`, (t) => {
    const s = loadScenarioFile(join(scenarioDir, name));
    t.is(s.file, join(scenarioDir, name));
    t.true(s.name.length > 0);
    t.true(s.durationMs > 0);
    t.true(s.cluster.agents.length > 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Errors

test('scenario loader › reports a non-numeric cpus as file:line:col with the JSON pointer', (t) => {
  // laid out so that the value sits at line 7, column 11: the example of DESIGN ◆2.1
  const file = writeTemp(
    `name: x
duration: 1m
cluster:
 agents:
 - name: lab
   resources:
    cpus: four
    mem: 4096
`,
    'x.yaml',
  );
  const err = t.throws(() => loadScenarioFile(file), { instanceOf: ScenarioError });
  if (!(err instanceof ScenarioError)) return;
  t.is(err.message, `${file}:7:11 /cluster/agents/0/resources/cpus must be a number`);
  t.is(err.file, file);
  t.deepEqual(err.problems, [
    { line: 7, col: 11, path: '/cluster/agents/0/resources/cpus', message: 'must be a number' },
  ]);
});

test('scenario loader › names the scenario file as given in every message line', (t) => {
  const text = `${HEAD.replace('cpus: 4', 'cpus: many')}`;
  const err = refuse(text, 'scenarios/x.yaml');
  const { line, col } = where(text, 'many');
  t.is(err.message, `scenarios/x.yaml:${line}:${col} /cluster/agents/0/resources/cpus must be a number`);
});

test('scenario loader › reports an unknown top-level key at the key', (t) => {
  const text = HEAD.replace('duration: 1m\n', 'duration: 1m\ncolour: red\n');
  const err = refuse(text);
  t.deepEqual(err.problems, [{ line: 3, col: 1, path: '/colour', message: 'unknown key "colour"' }]);
});

test('scenario loader › reports an unknown nested key at the key', (t) => {
  const text = HEAD.replace('count: 2\n', 'count: 2\n      zone: eu\n');
  const err = refuse(text);
  t.deepEqual(err.problems, [
    { ...where(text, 'zone'), path: '/cluster/agents/0/zone', message: 'unknown key "zone"' },
  ]);
});

test('scenario loader › reports a missing required key at its parent', (t) => {
  const text = HEAD.replace('{ cpus: 4, mem: 4096 }', '{ mem: 4096 }');
  const err = refuse(text);
  t.deepEqual(err.problems, [
    { ...where(text, '{ mem'), path: '/cluster/agents/0/resources/cpus', message: 'is required' },
  ]);
});

test('scenario loader › reports a missing top-level key at the document', (t) => {
  const text = HEAD.replace('duration: 1m\n', '');
  const err = refuse(text);
  t.deepEqual(err.problems, [{ line: 1, col: 1, path: '/duration', message: 'is required' }]);
});

test('scenario loader › reports a bad duration at its value', (t) => {
  const text = HEAD.replace('duration: 1m', 'duration: 1 fortnight');
  const err = refuse(text);
  t.deepEqual(err.problems, [
    {
      line: 2,
      col: 11,
      path: '/duration',
      message: 'must be a duration such as 500ms, 90s, 30m or 1h, got "1 fortnight"',
    },
  ]);
});

test('scenario loader › refuses a zero scenario duration', (t) => {
  const err = refuse(HEAD.replace('duration: 1m', 'duration: 0s'));
  t.deepEqual(lines(err), ['2:11 /duration must be longer than 0']);
});

test('scenario loader › reports a bad workload time and a bad runtime at their values', (t) => {
  const text = `${HEAD}workload:
  - at: later
    kill: a
  - at: 1s
    submit: { id: a, dockerimage: b, mem: 1 }
    runtime: forever
`;
  const err = refuse(text);
  const at = where(text, 'later');
  const runtime = where(text, 'forever');
  t.deepEqual(lines(err), [
    `${at.line}:${at.col} /workload/0/at must be a duration such as 500ms, 90s, 30m or 1h, got "later"`,
    `${runtime.line}:${runtime.col} /workload/1/runtime must be a duration such as 500ms, 90s, 30m or 1h, got "forever"`,
  ]);
});

test('scenario loader › reports a workload item with no action at the item', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'at: 1s'), path: '/workload/0' });
  t.regex(err.problems[0]?.message ?? '', /^needs one action: submit, kill, reshuffle, agents, hold/);
});

test('scenario loader › reports a workload item with two actions at the item', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    kill: a\n    reshuffle: {}\n`;
  const err = refuse(text);
  t.deepEqual(err.problems, [
    {
      ...where(text, 'at: 1s'),
      path: '/workload/0',
      message: 'has more than one action (kill, reshuffle); use one item per action',
    },
  ]);
});

test('scenario loader › reports a fault item with no fault and with two faults', (t) => {
  const text = `${HEAD}faults:\n  - at: 1s\n  - at: 2s\n    agent-loss: lab-1\n    master-failover: {}\n`;
  const err = refuse(text);
  t.deepEqual(
    err.problems.map((p) => [p.line, p.path]),
    [
      [where(text, 'at: 1s').line, '/faults/0'],
      [where(text, 'at: 2s').line, '/faults/1'],
    ],
  );
  t.regex(err.problems[0]?.message ?? '', /^needs one fault: agent-loss, master-failover/);
  t.regex(err.problems[1]?.message ?? '', /^has more than one fault \(agent-loss, master-failover\)/);
});

test('scenario loader › reports a task spec error inside submit with the field in the pointer', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    submit: { id: a, dockerimage: b, mem: "abc" }\n`;
  const err = refuse(text);
  const { line, col } = where(text, '"abc"');
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { line, col, path: '/workload/0/submit/mem' });
  t.regex(err.problems[0]?.message ?? '', /must be a number .*"abc"/);
  t.regex(err.message, new RegExp(`^x\\.yaml:${line}:${col} /workload/0/submit/mem must be a number`));
});

test('scenario loader › reports an unknown task spec field inside submit at the field', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    submit: { id: a, dockerimage: b, mem: 1, colour: red }\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'colour'), path: '/workload/0/submit/colour' });
  t.regex(err.problems[0]?.message ?? '', /unknown field "colour"/);
});

test('scenario loader › reports a submit that is not a mapping', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    submit: nginx\n`;
  const err = refuse(text);
  t.like(err.problems[0], { ...where(text, 'nginx'), path: '/workload/0/submit' });
  t.regex(err.problems[0]?.message ?? '', /must be a JSON object/);
});

test('scenario loader › reports a hold of an unknown agent at the name', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    hold: lab-3\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'lab-3'), path: '/workload/0/hold' });
  t.regex(err.problems[0]?.message ?? '', /no agent is named "lab-3"/);
  t.regex(err.problems[0]?.message ?? '', /lab-1, lab-2/);
});

test('scenario loader › reports an agent-loss of an unknown agent at the name', (t) => {
  // the group name alone is not an agent: agents are <group>-<n>
  const text = `${HEAD}faults:\n  - at: 1s\n    agent-loss: lab\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'lab\n', 2), path: '/faults/0/agent-loss' });
  t.regex(err.problems[0]?.message ?? '', /no agent is named "lab"/);
});

test('scenario loader › reports an unknown placement policy at its value', (t) => {
  const text = `${HEAD}policy:\n  placement: random\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'random'), path: '/policy/placement' });
  t.regex(
    err.problems[0]?.message ?? '',
    /^unknown placement policy "random" \(known: first-fit, bin-pack, spread/,
  );
});

test('scenario loader › reports an unknown reshuffle strategy at its value', (t) => {
  const text = `${HEAD}policy:\n  reshuffle: shuffle-harder\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'shuffle-harder'), path: '/policy/reshuffle' });
  t.regex(err.problems[0]?.message ?? '', /unknown reshuffle strategy "shuffle-harder"/);
});

test('scenario loader › reports an agent group defined twice at the second name', (t) => {
  const text = `${HEAD}    - name: lab\n      resources: { cpus: 1, mem: 1024 }\n`;
  const err = refuse(text);
  t.deepEqual(err.problems, [
    {
      line: where(text, 'name: lab', 2).line,
      col: where(text, 'name: lab', 2).col + 'name: '.length,
      path: '/cluster/agents/1/name',
      message: 'agent group "lab" is defined twice',
    },
  ]);
});

test('scenario loader › reports a workload agents group that reuses a group name', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    agents: { name: lab, resources: { cpus: 1, mem: 1024 } }\n`;
  const err = refuse(text);
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { ...where(text, 'lab, resources'), path: '/workload/0/agents/name' });
  t.regex(err.problems[0]?.message ?? '', /agent group "lab" already exists/);
});

for (const sla of ['singleton', 'one-per-node']) {
  test(`scenario loader › reports count > 1 for a ${sla} task at the count`, (t) => {
    const text = `${HEAD}workload:\n  - at: 1s\n    submit: { id: a, dockerimage: b, mem: 1, sla: ${sla} }\n    count: 2\n`;
    const err = refuse(text);
    t.deepEqual(err.problems, [
      {
        ...where(text, '2\n', 2),
        path: '/workload/0/count',
        message: `a ${sla} task has exactly one submission; count must be 1`,
      },
    ]);
  });
}

test('scenario loader › reports usage and runtime on a non-submit item at their keys', (t) => {
  const text = `${HEAD}workload:\n  - at: 1s\n    kill: a\n    usage: { mem: 1 }\n    runtime: 1m\n    count: 3\n`;
  const err = refuse(text);
  t.deepEqual(lines(err), [
    `${where(text, 'usage').line}:5 /workload/0/usage only applies to submit and job`,
    `${where(text, 'runtime').line}:5 /workload/0/runtime only applies to submit and job`,
    `${where(text, 'count: 3').line}:5 /workload/0/count only applies to submit`,
  ]);
});

test('scenario loader › reports malformed YAML with its position', (t) => {
  const err = refuse('name: x\nduration: 1m\ncluster: [\n');
  t.is(err.problems.length, 1);
  const p = err.problems[0] as Problem;
  t.is(p.path, '');
  t.true(p.line >= 3, `line ${p.line}`);
  t.true(p.message.length > 0);
  t.notRegex(p.message, /\n/);
  t.regex(err.message, /^x\.yaml:\d+:\d+ \S/);
});

test('scenario loader › reports a duplicate key as malformed at the repeated key', (t) => {
  const err = refuse('name: x\nname: y\nduration: 1m\n');
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { line: 2, col: 1, path: '' });
  t.regex(err.problems[0]?.message ?? '', /unique/i);
});

test('scenario loader › refuses a document that is not a mapping', (t) => {
  const err = refuse('- just\n- a list\n');
  t.is(err.problems.length, 1);
  t.like(err.problems[0], { line: 1, col: 1, path: '' });
  t.regex(err.problems[0]?.message ?? '', /must be a mapping/);
});

test('scenario loader › refuses malformed JSON', (t) => {
  const file = writeTemp('{ "name": "x", "duration": "1m", ', 'broken.json');
  const err = t.throws(() => loadScenarioFile(file), { instanceOf: ScenarioError });
  t.regex(err?.message ?? '', new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
});

test('scenario loader › reports a missing file as one line naming the file', (t) => {
  const file = join(dir, 'no-such-scenario.yaml');
  const err = t.throws(() => loadScenarioFile(file), { instanceOf: ScenarioError });
  if (!(err instanceof ScenarioError)) return;
  t.is(err.message, `${file}:1:1 cannot read the scenario: no such file`);
  t.deepEqual(err.problems, [
    { line: 1, col: 1, path: '', message: 'cannot read the scenario: no such file' },
  ]);
});

test('scenario loader › reports a directory given as the scenario', (t) => {
  const err = t.throws(() => loadScenarioFile(dir), { instanceOf: ScenarioError });
  t.is(err?.message, `${dir}:1:1 cannot read the scenario: is a directory`);
});

test('scenario loader › reports several structural problems together, sorted by line', (t) => {
  const text = `name: x
duration: 1m
cluster:
  agents:
    - name: lab
      resources: { cpus: four, mem: 4096, gpus: 1 }
extra: 1
`;
  const err = refuse(text);
  t.deepEqual(lines(err), [
    `6:26 /cluster/agents/0/resources/cpus must be a number`,
    `6:${where(text, 'gpus').col} /cluster/agents/0/resources/gpus unknown key "gpus"`,
    `7:1 /extra unknown key "extra"`,
  ]);
  t.is(err.message.split('\n').length, 3);
  t.true(err.message.split('\n').every((l) => l.startsWith('x.yaml:')));
});

test('scenario loader › reports several semantic problems together, sorted by line', (t) => {
  // the placement policy is checked before the workload, but comes last in the file
  const text = `name: x
duration: soon
cluster:
  agents:
    - name: lab
      resources: { cpus: 4, mem: 4096 }
workload:
  - at: 1s
    submit: { id: a, dockerimage: b, mem: "abc" }
  - at: 2s
    hold: nobody-1
policy:
  placement: random
`;
  const err = refuse(text);
  t.deepEqual(
    err.problems.map((p) => [p.line, p.path]),
    [
      [2, '/duration'],
      [9, '/workload/0/submit/mem'],
      [11, '/workload/1/hold'],
      [13, '/policy/placement'],
    ],
  );
  t.deepEqual(
    err.message.split('\n').map((l) => l.split(' ')[0]),
    err.problems.map((p) => `x.yaml:${p.line}:${p.col}`),
  );
});

test('scenario loader › sorts problems on one line by column, whatever order they were found in', (t) => {
  const err = refuse(`name: x
duration: 1m
cluster:
  agents:
    - { name: lab, resources: { mem: lots, cpus: four } }
`);
  t.deepEqual(
    err.problems.map((p) => p.path),
    ['/cluster/agents/0/resources/mem', '/cluster/agents/0/resources/cpus'],
  );
  t.true((err.problems[0]?.col ?? 0) < (err.problems[1]?.col ?? 0));
});

test('scenario loader › shows twelve problems and counts the rest', (t) => {
  const items = Array.from({ length: 15 }, (_, i) => `  - at: ${i}s\n    hold: ghost-${i}\n`).join('');
  const err = refuse(`${HEAD}workload:\n${items}`);
  t.is(err.problems.length, 15);
  const shown = err.message.split('\n');
  t.is(shown.length, 13);
  t.is(shown[12], '… and 3 more problems');
});
