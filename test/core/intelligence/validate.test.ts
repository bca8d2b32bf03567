import test from 'ava';
import {
  applyPatch,
  parseIntelligenceEntries,
  parseOverridesPatch,
} from '../../../src/core/intelligence/validate.ts';

test('validate › overrides accept numeric strings for mem, rounded to Mesos precision', (t) => {
  t.deepEqual(parseOverridesPatch({ mem: '100', nodename: 'slave1', sla: 'singleton' }), {
    ok: true,
    value: { mem: 100, nodename: 'slave1', sla: 'singleton' },
  });
  t.deepEqual(parseOverridesPatch({ mem: 12.34567 }), { ok: true, value: { mem: 12.346 } });
  t.deepEqual(parseOverridesPatch({ mem: null, sla: null }), { ok: true, value: { mem: null, sla: null } });
});

test('validate › overrides name every bad field', (t) => {
  const r = parseOverridesPatch({ mem: 0, nodename: '', sla: 'many', cpus: 1 });
  t.false(r.ok);
  if (r.ok) return;
  t.deepEqual(r.errors.map((e) => e.path).sort(), ['/cpus', '/mem', '/nodename', '/sla']);
  t.regex(r.errors.find((e) => e.path === '/sla')?.message ?? '', /one-per-node, singleton/);
  t.false(parseOverridesPatch([]).ok);
  t.false(parseOverridesPatch({ mem: 'lots' }).ok);
});

test('validate › a patch sets, removes and keeps; replace starts from none', (t) => {
  const current = { mem: 100, nodename: 'a' };
  t.deepEqual(applyPatch(current, { nodename: null, sla: 'singleton' }), { mem: 100, sla: 'singleton' });
  t.deepEqual(applyPatch(current, { sla: 'singleton' }, true), { sla: 'singleton' });
  t.deepEqual(current, { mem: 100, nodename: 'a' }, 'the current overrides are not changed');
});

test('validate › an import fills defaults and treats a bare peak like Charmander’s mem key', (t) => {
  const r = parseIntelligenceEntries([
    { id: 'stress60', peakMemMb: 60 },
    { id: 'web', window: { memMb: [10, '12'] }, overrides: { mem: '64' } },
  ]);
  t.deepEqual(r, {
    ok: true,
    value: [
      { id: 'stress60', samples: 0, peakMemMb: 60, window: { memMb: [], cpus: [] }, overrides: {} },
      { id: 'web', samples: 2, window: { memMb: [10, 12], cpus: [0, 0] }, overrides: { mem: 64 } },
    ],
  });
});

test('validate › an import names the bad entry and field, and refuses duplicates', (t) => {
  const r = parseIntelligenceEntries([
    { id: 'a', samples: 1.5 },
    { id: 'z' },
    { id: 'z' },
    { id: 'b c', window: { memMb: [1, -1] } },
    { id: 'f', window: { memMb: [1, 2], cpus: [1] } },
    { id: 'd', overrides: { sla: 'x' }, extra: true },
    'e',
  ]);
  t.false(r.ok);
  if (r.ok) return;
  t.deepEqual(
    r.errors.map((e) => e.path),
    [
      '/0/samples',
      '/2/id',
      '/3/id',
      '/3/window/memMb/1',
      '/4/window/cpus',
      '/5/extra',
      '/5/overrides/sla',
      '/6',
    ],
  );
  t.false(parseIntelligenceEntries({}).ok);
  t.false(parseIntelligenceEntries([{ id: 'w', window: { memMb: Array(101).fill(1) } }]).ok);
});
