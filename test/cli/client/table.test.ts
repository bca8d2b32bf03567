import test from 'ava';
import { formatTable, num, usedOf } from '../../../src/cli/client/table.ts';

test('client table › columns are left-aligned, three spaces apart, under upper-case headers', (t) => {
  t.is(
    formatTable(
      ['task', 'cpus', 'agent'],
      [
        ['web-000001', '0.5', 'lab-1'],
        ['gpu-000002', '12', '-'],
      ],
    ),
    ['TASK         CPUS   AGENT', 'web-000001   0.5    lab-1', 'gpu-000002   12     -'].join('\n'),
  );
});

test('client table › an empty table is just the headers, with no trailing spaces', (t) => {
  t.is(formatTable(['hostname', 'held'], []), 'HOSTNAME   HELD');
});

test('client table › numbers keep at most two decimals; used/total reads as a fraction', (t) => {
  t.is(num(0.1 + 0.2), '0.3');
  t.is(num(1536), '1536');
  t.is(num(undefined), '-');
  t.is(usedOf(1.25, 4), '1.25/4');
});
