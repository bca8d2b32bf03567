import test from 'ava';
import {
  behaviourFromLabels,
  behaviourLabels,
  LABEL_RUNTIME_MS,
  LABEL_USAGE,
  LABEL_USAGE_CPUS,
  LABEL_USAGE_MEM,
  taskUsage,
} from '../../../src/core/model/task-behaviour.ts';
import type { UsageProfile } from '../../../src/core/model/usage-profile.ts';

const ramp: UsageProfile = { profile: 'ramp', from: 20, to: 90, overMs: 300_000 };
const spikes: UsageProfile = {
  profile: 'spikes',
  base: 0.1,
  peak: 2,
  everyMs: 180_000,
  forMs: 10_000,
  jitterMs: 5000,
};

test('task behaviour › constant usage keeps the decimal labels of before profiles', (t) => {
  const labels = behaviourLabels({ runtimeMs: 120_000, usageMem: 60, usageCpus: 0.5 });
  t.deepEqual(labels, [
    { key: LABEL_RUNTIME_MS, value: '120000' },
    { key: LABEL_USAGE_MEM, value: '60' },
    { key: LABEL_USAGE_CPUS, value: '0.5' },
  ]);
  t.deepEqual(
    behaviourLabels({ usageMem: { profile: 'constant', value: 60 } }),
    [{ key: LABEL_USAGE_MEM, value: '60' }],
    'a constant profile is a plain number on the wire',
  );
  t.deepEqual(behaviourLabels({}), []);
});

test('task behaviour › a varying profile goes into one JSON label, keys in a fixed order', (t) => {
  const labels = behaviourLabels({ usageMem: ramp, usageCpus: 0.5 });
  t.deepEqual(labels, [
    { key: LABEL_USAGE_CPUS, value: '0.5' },
    { key: LABEL_USAGE, value: '{"mem":{"profile":"ramp","from":20,"to":90,"overMs":300000}}' },
  ]);
  const both = behaviourLabels({
    usageCpus: spikes,
    usageMem: { overMs: 300_000, to: 90, from: 20, profile: 'ramp' } as UsageProfile,
  });
  t.deepEqual(both, [
    {
      key: LABEL_USAGE,
      value:
        '{"mem":{"profile":"ramp","from":20,"to":90,"overMs":300000},' +
        '"cpus":{"profile":"spikes","base":0.1,"peak":2,"everyMs":180000,"forMs":10000,"jitterMs":5000}}',
    },
  ]);
});

test('task behaviour › labels read back to the same behaviour', (t) => {
  for (const b of [
    { runtimeMs: 5000, usageMem: 200 },
    { usageMem: ramp, usageCpus: 0.25 },
    { usageMem: 64, usageCpus: spikes },
    {
      usageMem: { profile: 'periodic', low: 30, high: 80, periodMs: 120_000 } as UsageProfile,
      usageCpus: spikes,
    },
  ])
    t.deepEqual(behaviourFromLabels(behaviourLabels(b)), b);
});

test('task behaviour › reads the old labels, and the JSON label wins for the resources it names', (t) => {
  t.deepEqual(
    behaviourFromLabels([
      { key: LABEL_USAGE_MEM, value: '60' },
      { key: LABEL_USAGE_CPUS, value: '1' },
    ]),
    { usageMem: 60, usageCpus: 1 },
  );
  t.deepEqual(
    behaviourFromLabels([
      { key: LABEL_USAGE_MEM, value: '60' },
      { key: LABEL_USAGE_CPUS, value: '1' },
      { key: LABEL_USAGE, value: JSON.stringify({ mem: ramp }) },
    ]),
    { usageMem: ramp, usageCpus: 1 },
  );
});

test('task behaviour › ignores a malformed usage label or profile', (t) => {
  t.deepEqual(behaviourFromLabels([{ key: LABEL_USAGE, value: '{not json' }]), {});
  t.deepEqual(behaviourFromLabels([{ key: LABEL_USAGE, value: '[1]' }]), {});
  t.deepEqual(
    behaviourFromLabels([
      { key: LABEL_USAGE_MEM, value: '60' },
      { key: LABEL_USAGE, value: JSON.stringify({ mem: { profile: 'ramp', from: 1 } }) },
    ]),
    { usageMem: 60 },
    'an unusable profile falls back to the decimal label',
  );
  t.deepEqual(behaviourFromLabels([{ key: LABEL_USAGE_MEM, value: '-3' }]), {});
});

test('task behaviour › a resource without usage uses what the task was allocated', (t) => {
  t.deepEqual(taskUsage({}, { mem: 128, cpus: 0.5 }), {
    mem: { profile: 'constant', value: 128 },
    cpus: { profile: 'constant', value: 0.5 },
  });
  t.deepEqual(taskUsage({ usageMem: ramp, usageCpus: 2 }, { mem: 128, cpus: 0.5 }), {
    mem: ramp,
    cpus: { profile: 'constant', value: 2 },
  });
});
