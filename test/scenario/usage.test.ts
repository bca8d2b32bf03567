import test from 'ava';
import { parseScenario, ScenarioError } from '../../src/scenario/load.ts';
import type { Behaviour } from '../../src/scenario/types.ts';

/** A valid scenario up to a submit item; a test appends that item's `usage`. */
const HEAD = `name: x
duration: 1m
cluster:
  agents:
    - name: lab
      count: 2
      resources: { cpus: 4, mem: 4096 }
workload:
  - at: 1s
    submit: { id: a, dockerimage: stress, mem: 100 }
`;

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string): string {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" does not occur`);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${(before[before.length - 1] as string).length + 1}`;
}

function behaviour(usage: string): Behaviour {
  const item = parseScenario(HEAD + usage, 'x.yaml').workload[0]?.item;
  if (item?.kind !== 'submit') throw new Error('no submit');
  return item.behaviour;
}

/** `line:col path message` of every problem of a refused usage. */
function refuse(usage: string): string[] {
  try {
    parseScenario(HEAD + usage, 'x.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) {
      assertPositions(err);
      return err.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`);
    }
    throw err;
  }
  throw new Error('the scenario was accepted');
}

/** Every message starts with `file:line:col`. */
function assertPositions(err: ScenarioError): void {
  for (const line of err.message.split('\n'))
    if (!/^x\.yaml:\d+:\d+ /.test(line)) throw new Error(`not a file:line:col message: ${line}`);
}

test('scenario usage › plain numbers stay constants, as before profiles', (t) => {
  t.deepEqual(behaviour('    usage: { mem: 60, cpus: 0.5 }\n'), { usage: { mem: 60, cpus: 0.5 } });
});

test('scenario usage › reads every profile, durations in ms', (t) => {
  t.deepEqual(
    behaviour(`    usage:
      mem: { profile: ramp, from: 20, to: 90, over: 5m }
      cpus: { profile: periodic, low: 0.2, high: 1.5, period: 2m }
`),
    {
      usage: {
        mem: { profile: 'ramp', from: 20, to: 90, overMs: 300_000 },
        cpus: { profile: 'periodic', low: 0.2, high: 1.5, periodMs: 120_000 },
      },
    },
  );
  t.deepEqual(
    behaviour(`    usage:
      mem: { profile: spikes, base: 40, peak: 95, every: 3m, for: 10s, jitter: 20s }
      cpus: { profile: constant, value: 1 }
`),
    {
      usage: {
        mem: { profile: 'spikes', base: 40, peak: 95, everyMs: 180_000, forMs: 10_000, jitterMs: 20_000 },
        cpus: { profile: 'constant', value: 1 },
      },
    },
  );
  t.deepEqual(
    behaviour(
      '    usage: { mem: { profile: spikes, base: 40, peak: 95, every: 3m, for: 3m, jitter: 0s } }\n',
    ),
    { usage: { mem: { profile: 'spikes', base: 40, peak: 95, everyMs: 180_000, forMs: 180_000 } } },
    'no jitter key for zero jitter; a window may fill its whole period',
  );
  t.deepEqual(
    behaviour('    usage: { mem: { profile: ramp, from: 1, to: 2, over: 2.6 } }\n'),
    { usage: { mem: { profile: 'ramp', from: 1, to: 2, overMs: 3 } } },
    'a bare number is ms, rounded to a whole ms',
  );
});

test('scenario usage › an unknown or missing profile is refused at its place', (t) => {
  const unknown = '    usage:\n      mem: { profile: rampe, from: 20 }\n';
  t.deepEqual(refuse(unknown), [
    `${where(HEAD + unknown, 'rampe')} /workload/0/usage/mem/profile unknown profile "rampe" (known: constant, ramp, periodic, spikes)`,
  ]);
  const missing = '    usage:\n      mem: { from: 20 }\n';
  t.deepEqual(refuse(missing), [
    `${where(HEAD + missing, '{ from')} /workload/0/usage/mem/profile is required (one of constant, ramp, periodic, spikes)`,
  ]);
});

test('scenario usage › profile fields are checked strictly: range, type, unknown and missing keys', (t) => {
  const text = '    usage:\n      mem: { profile: ramp, from: 20, to: -1, over: 5m, extra: 1 }\n';
  t.deepEqual(refuse(text), [
    `${where(HEAD + text, '-1')} /workload/0/usage/mem/to must be at least 0`,
    `${where(HEAD + text, 'extra')} /workload/0/usage/mem/extra unknown key "extra"`,
  ]);
  const missing = '    usage:\n      cpus: { profile: periodic, low: 1 }\n';
  t.deepEqual(refuse(missing), [
    `${where(HEAD + missing, '{ profile')} /workload/0/usage/cpus/high is required`,
    `${where(HEAD + missing, '{ profile')} /workload/0/usage/cpus/period is required`,
  ]);
  const typed = '    usage:\n      mem: { profile: constant, value: "60" }\n';
  t.deepEqual(refuse(typed), [`${where(HEAD + typed, '"60"')} /workload/0/usage/mem/value must be a number`]);
  const text2 = '    usage:\n      mem: "60"\n';
  t.deepEqual(refuse(text2), [
    `${where(HEAD + text2, '"60"')} /workload/0/usage/mem must be a number or a usage profile such as { profile: ramp, from: 20, to: 90, over: 5m }`,
  ]);
  const negative = '    usage: { mem: -5 }\n';
  t.deepEqual(refuse(negative), [`${where(HEAD + negative, '-5')} /workload/0/usage/mem must be at least 0`]);
});

test('scenario usage › durations must parse and be at least 1 ms', (t) => {
  const bad = '    usage:\n      mem: { profile: ramp, from: 20, to: 90, over: soon }\n';
  t.deepEqual(refuse(bad), [
    `${where(HEAD + bad, 'soon')} /workload/0/usage/mem/over must be a duration such as 500ms, 90s, 30m or 1h, got "soon"`,
  ]);
  const zero = '    usage:\n      mem: { profile: periodic, low: 1, high: 2, period: 0s }\n';
  t.deepEqual(refuse(zero), [
    `${where(HEAD + zero, '0s')} /workload/0/usage/mem/period must be at least 1ms`,
  ]);
});

test('scenario usage › periodic needs high ≥ low, spikes peak ≥ base and non-overlapping windows', (t) => {
  const wave = '    usage:\n      mem: { profile: periodic, low: 50, high: 20, period: 1m }\n';
  t.deepEqual(refuse(wave), [
    `${where(HEAD + wave, '20,')} /workload/0/usage/mem/high must be at least low (50)`,
  ]);
  const dip = '    usage:\n      mem: { profile: spikes, base: 40, peak: 30, every: 1m, for: 1s }\n';
  t.deepEqual(refuse(dip), [
    `${where(HEAD + dip, '30,')} /workload/0/usage/mem/peak must be at least base (40)`,
  ]);
  const overlap =
    '    usage:\n      mem: { profile: spikes, base: 40, peak: 95, every: 10s, for: 8s, jitter: 3s }\n';
  t.deepEqual(refuse(overlap), [
    `${where(HEAD + overlap, '8s')} /workload/0/usage/mem/for plus jitter must not exceed every (spike windows would overlap)`,
  ]);
  const long = '    usage:\n      mem: { profile: spikes, base: 40, peak: 95, every: 10s, for: 11s }\n';
  t.deepEqual(refuse(long), [
    `${where(HEAD + long, '11s')} /workload/0/usage/mem/for must not exceed every (spike windows would overlap)`,
  ]);
});

test('scenario usage › an unknown resource in usage is refused', (t) => {
  const text = '    usage:\n      mem: 5\n      disk: 3\n';
  t.deepEqual(refuse(text), [`${where(HEAD + text, 'disk')} /workload/0/usage/disk unknown key "disk"`]);
});
