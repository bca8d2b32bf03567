import test from 'ava';
import fc from 'fast-check';
import type { Range } from '../../../src/core/mesos/v1.ts';
import {
  addRanges,
  addResources,
  cloneResources,
  countRangeValues,
  emptyResources,
  fits,
  formatRanges,
  normalizeRanges,
  parseRanges,
  portsToRanges,
  type Resources,
  rangesContainPort,
  rangesInclude,
  rangesOverlap,
  reserveInPlace,
  resourcesFromMesos,
  resourcesToMesos,
  round3,
  subtractRanges,
  subtractResources,
} from '../../../src/core/model/resources.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function res(cpus: number, mem: number, disk = 0, ports: Range[] = []): Resources {
  return { cpus, mem, disk, ports };
}

/** The set of values a list of ranges covers, for small port numbers. */
function valuesOf(ranges: readonly Range[]): number[] {
  const out = new Set<number>();
  for (const r of ranges) for (let p = r.begin; p <= r.end; p++) out.add(p);
  return [...out].sort((a, b) => a - b);
}

/** True when ranges are sorted, disjoint and non-adjacent (the canonical form). */
function isCanonical(ranges: readonly Range[]): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    if (r.end < r.begin) return false;
    const prev = ranges[i - 1];
    if (prev && r.begin <= prev.end + 1) return false;
  }
  return true;
}

const smallRange: fc.Arbitrary<Range> = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 }))
  .map(([begin, len]) => ({ begin, end: begin + len }));
const smallRanges = fc.array(smallRange, { maxLength: 6 });

// round3

test('round3 › keeps three decimal places', (t) => {
  t.is(round3(1.23456), 1.235);
  t.is(round3(0.1 + 0.2), 0.3);
  t.is(round3(2.5), 2.5);
  t.is(round3(100), 100);
  t.is(round3(0.0004), 0);
  t.is(round3(-1.2344), -1.234);
});

test('round3 › cancels floating-point noise in repeated sums', (t) => {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum = round3(sum + 0.1);
  t.is(sum, 1);
});

// ranges

test('normalizeRanges › sorts and merges overlapping ranges', (t) => {
  t.deepEqual(
    normalizeRanges([
      { begin: 20, end: 30 },
      { begin: 1, end: 5 },
      { begin: 25, end: 40 },
      { begin: 3, end: 4 },
    ]),
    [
      { begin: 1, end: 5 },
      { begin: 20, end: 40 },
    ],
  );
});

test('normalizeRanges › merges adjacent ranges but keeps a gap of one port', (t) => {
  t.deepEqual(
    normalizeRanges([
      { begin: 1, end: 5 },
      { begin: 6, end: 9 },
    ]),
    [{ begin: 1, end: 9 }],
  );
  t.deepEqual(
    normalizeRanges([
      { begin: 1, end: 5 },
      { begin: 7, end: 9 },
    ]),
    [
      { begin: 1, end: 5 },
      { begin: 7, end: 9 },
    ],
  );
});

test('normalizeRanges › drops inverted ranges and does not mutate its input', (t) => {
  const input = [
    { begin: 10, end: 5 },
    { begin: 8, end: 9 },
    { begin: 1, end: 3 },
  ];
  const copy = structuredClone(input);
  t.deepEqual(normalizeRanges(input), [
    { begin: 1, end: 3 },
    { begin: 8, end: 9 },
  ]);
  t.deepEqual(input, copy);
  t.deepEqual(normalizeRanges([]), []);
});

test(`normalizeRanges › is idempotent, canonical and keeps the set of values (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(smallRanges, (ranges) => {
      const once = normalizeRanges(ranges);
      const twice = normalizeRanges(once);
      return (
        JSON.stringify(once) === JSON.stringify(twice) &&
        isCanonical(once) &&
        JSON.stringify(valuesOf(once)) === JSON.stringify(valuesOf(ranges))
      );
    }),
    fcParams(300),
  );
  t.pass();
});

test('addRanges › unions two lists into canonical form', (t) => {
  t.deepEqual(addRanges([{ begin: 31000, end: 31009 }], [{ begin: 31010, end: 31020 }]), [
    { begin: 31000, end: 31020 },
  ]);
});

test('subtractRanges › splits a range around a removed port', (t) => {
  t.deepEqual(subtractRanges([{ begin: 31000, end: 32000 }], [{ begin: 31500, end: 31500 }]), [
    { begin: 31000, end: 31499 },
    { begin: 31501, end: 32000 },
  ]);
});

test('subtractRanges › trims range ends and removes whole ranges', (t) => {
  t.deepEqual(
    subtractRanges(
      [
        { begin: 1, end: 10 },
        { begin: 20, end: 30 },
        { begin: 40, end: 45 },
      ],
      [
        { begin: 8, end: 22 },
        { begin: 40, end: 45 },
      ],
    ),
    [
      { begin: 1, end: 7 },
      { begin: 23, end: 30 },
    ],
  );
  t.deepEqual(subtractRanges([{ begin: 5, end: 6 }], [{ begin: 1, end: 100 }]), []);
  t.deepEqual(subtractRanges([{ begin: 5, end: 6 }], [{ begin: 7, end: 100 }]), [{ begin: 5, end: 6 }]);
});

test(`subtractRanges › removes exactly the removed values (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(smallRanges, smallRanges, (a, b) => {
      const removed = new Set(valuesOf(b));
      const expected = valuesOf(a).filter((v) => !removed.has(v));
      const got = subtractRanges(a, b);
      return isCanonical(got) && JSON.stringify(valuesOf(got)) === JSON.stringify(expected);
    }),
    fcParams(300),
  );
  t.pass();
});

test(`subtractRanges › subtracting then adding back a contained set restores the ports (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(smallRanges, smallRanges, (a, b) => {
      // Only the part of b that a holds can be taken out and given back.
      const taken = subtractRanges(b, subtractRanges(b, a));
      const restored = addRanges(subtractRanges(a, taken), taken);
      return rangesInclude(a, taken) && JSON.stringify(restored) === JSON.stringify(normalizeRanges(a));
    }),
    fcParams(300),
  );
  t.pass();
});

test('rangesInclude › is true only when every value lies inside', (t) => {
  const outer = [
    { begin: 31000, end: 31099 },
    { begin: 31200, end: 32000 },
  ];
  t.true(rangesInclude(outer, [{ begin: 31000, end: 31000 }]));
  t.true(rangesInclude(outer, [{ begin: 31050, end: 31099 }]));
  t.true(rangesInclude(outer, []));
  t.false(rangesInclude(outer, [{ begin: 31099, end: 31100 }]));
  t.false(rangesInclude(outer, [{ begin: 31150, end: 31150 }]));
  t.false(rangesInclude([], [{ begin: 1, end: 1 }]));
});

test('rangesContainPort and rangesOverlap › look at single ports and shared values', (t) => {
  const r = [{ begin: 10, end: 20 }];
  t.true(rangesContainPort(r, 10));
  t.true(rangesContainPort(r, 20));
  t.false(rangesContainPort(r, 21));
  t.true(rangesOverlap(r, [{ begin: 20, end: 30 }]));
  t.false(rangesOverlap(r, [{ begin: 21, end: 30 }]));
});

test('portsToRanges and countRangeValues › turn single ports into counted ranges', (t) => {
  const ranges = portsToRanges([31600, 31500, 31501]);
  t.deepEqual(ranges, [
    { begin: 31500, end: 31501 },
    { begin: 31600, end: 31600 },
  ]);
  t.is(countRangeValues(ranges), 3);
  t.is(countRangeValues([{ begin: 31000, end: 32000 }]), 1001);
});

test('parseRanges › accepts a single range, lists and single ports', (t) => {
  t.deepEqual(parseRanges('31000-32000'), [{ begin: 31000, end: 32000 }]);
  t.deepEqual(parseRanges('1-5,8'), [
    { begin: 1, end: 5 },
    { begin: 8, end: 8 },
  ]);
  t.deepEqual(parseRanges('8080'), [{ begin: 8080, end: 8080 }]);
  t.deepEqual(parseRanges(' 6-9 , 1 - 5 '), [{ begin: 1, end: 9 }]);
});

test('parseRanges › rejects garbage', (t) => {
  for (const text of [
    '',
    ' , ',
    'abc',
    '1-',
    '-5',
    '5-1',
    '1-2-3',
    '1.5-3',
    '0x10',
    '1-5;8',
    '99999999999999999999',
  ]) {
    t.is(parseRanges(text), undefined, JSON.stringify(text));
  }
});

test(`parseRanges › reads back what formatRanges writes (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(smallRanges, (ranges) => {
      const canonical = normalizeRanges(ranges);
      const text = formatRanges(canonical).slice(1, -1);
      const parsed = parseRanges(text);
      return canonical.length === 0
        ? parsed === undefined
        : JSON.stringify(parsed) === JSON.stringify(canonical);
    }),
    fcParams(200),
  );
  t.is(
    formatRanges([
      { begin: 31000, end: 31099 },
      { begin: 31200, end: 32000 },
    ]),
    '[31000-31099, 31200-32000]',
  );
});

// resource bundles

test('fits › needs every scalar and every port', (t) => {
  const have = res(2, 1024, 100, [{ begin: 31000, end: 31010 }]);
  t.true(fits(have, res(2, 1024, 100)));
  t.true(fits(have, res(1, 512, 0, [{ begin: 31005, end: 31005 }])));
  t.false(fits(have, res(2.001, 1)));
  t.false(fits(have, res(1, 1025)));
  t.false(fits(have, res(1, 1, 101)));
  t.false(fits(have, res(1, 1, 0, [{ begin: 31011, end: 31011 }])));
  t.true(fits(emptyResources(), emptyResources()));
});

test('addResources and subtractResources › round scalars and floor at zero', (t) => {
  const a = res(0.3, 100.5, 10, [{ begin: 1, end: 5 }]);
  const b = res(0.2, 50.25, 20, [{ begin: 3, end: 3 }]);
  t.deepEqual(addResources(a, b), res(0.5, 150.75, 30, [{ begin: 1, end: 5 }]));
  t.deepEqual(
    subtractResources(a, b),
    res(0.1, 50.25, 0, [
      { begin: 1, end: 2 },
      { begin: 4, end: 5 },
    ]),
  );
});

test('reserveInPlace › takes the need out of the same object', (t) => {
  const free = res(1, 1000, 50, [{ begin: 31000, end: 31010 }]);
  const before = free.ports;
  reserveInPlace(free, res(0.3, 400, 10));
  t.deepEqual(free, res(0.7, 600, 40, [{ begin: 31000, end: 31010 }]));
  t.is(free.ports, before, 'no new port list when the need has no ports');
  reserveInPlace(free, res(0.7, 700, 0, [{ begin: 31005, end: 31005 }]));
  t.deepEqual(
    free,
    res(0, 0, 40, [
      { begin: 31000, end: 31004 },
      { begin: 31006, end: 31010 },
    ]),
  );
});

test('cloneResources › copies the port list deeply', (t) => {
  const a = res(1, 2, 3, [{ begin: 1, end: 2 }]);
  const b = cloneResources(a);
  t.deepEqual(a, b);
  reserveInPlace(b, res(1, 0, 0, [{ begin: 1, end: 1 }]));
  t.deepEqual(a, res(1, 2, 3, [{ begin: 1, end: 2 }]));
});

test('resourcesFromMesos › sums scalars, merges port ranges and ignores other resources', (t) => {
  const r = resourcesFromMesos([
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.2 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 512 } },
    { name: 'disk', type: 'SCALAR', scalar: { value: 2048 } },
    { name: 'gpus', type: 'SCALAR', scalar: { value: 1 } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31010, end: 31020 }] } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31009 }] } },
  ]);
  t.deepEqual(r, res(0.3, 512, 2048, [{ begin: 31000, end: 31020 }]));
});

test('resourcesToMesos › leaves out zero scalars and decorates role and allocation role', (t) => {
  const list = resourcesToMesos(res(0, 128, 0), '*', 'web');
  t.deepEqual(list, [
    { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, role: '*', allocation_info: { role: 'web' } },
  ]);
  t.deepEqual(resourcesToMesos(emptyResources()), []);
});

const resourcesArb: fc.Arbitrary<Resources> = fc.record({
  cpus: fc.integer({ min: 0, max: 64_000 }).map((n) => n / 1000),
  mem: fc.integer({ min: 0, max: 262_144_000 }).map((n) => n / 1000),
  disk: fc.integer({ min: 0, max: 4_000_000 }),
  ports: smallRanges.map((r) =>
    normalizeRanges(r.map((x) => ({ begin: x.begin + 31000, end: x.end + 31000 }))),
  ),
});

test(`resourcesFromMesos › round-trips what resourcesToMesos builds (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(resourcesArb, fc.option(fc.constantFrom('*', 'web')), (r, role) => {
      const back = resourcesFromMesos(resourcesToMesos(r, role ?? undefined));
      return JSON.stringify(back) === JSON.stringify(r);
    }),
    fcParams(300),
  );
  t.pass();
});

test(`reserveInPlace › agrees with subtractResources and adding back restores a fitting need (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(resourcesArb, resourcesArb, (need, extra) => {
      const free = addResources(need, extra);
      if (!fits(free, need)) return false;
      const expected = subtractResources(free, need);
      const inPlace = cloneResources(free);
      reserveInPlace(inPlace, need);
      return (
        JSON.stringify(inPlace) === JSON.stringify(expected) &&
        JSON.stringify(addResources(inPlace, need)) === JSON.stringify(free)
      );
    }),
    fcParams(300),
  );
  t.pass();
});
