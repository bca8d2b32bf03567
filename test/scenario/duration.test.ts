import test from 'ava';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/scenario/duration.ts';
import { fcParams, SEED } from '../helpers/property.ts';

const accepted: readonly [string, number][] = [
  ['500ms', 500],
  ['90s', 90_000],
  ['30m', 1_800_000],
  ['1h', 3_600_000],
  ['1h30m', 5_400_000],
  ['2.5s', 2_500],
  ['1m30s', 90_000],
  ['0s', 0],
  ['10ms', 10],
];

for (const [text, ms] of accepted) {
  test(`duration › reads ${text} as ${ms} ms`, (t) => {
    t.is(parseDuration(text), ms);
  });
}

test('duration › takes a bare number, as a number or as a string, as milliseconds', (t) => {
  t.is(parseDuration(1500), 1500);
  t.is(parseDuration('1500'), 1500);
  t.is(parseDuration(0), 0);
  t.is(parseDuration('250.5'), 250.5);
});

test('duration › ignores surrounding whitespace', (t) => {
  t.is(parseDuration('  90s '), 90_000);
});

test('duration › tells ms apart from m', (t) => {
  t.is(parseDuration('5ms'), 5);
  t.is(parseDuration('5m'), 300_000);
});

const garbage: readonly unknown[] = [
  '',
  '   ',
  'abc',
  'soon',
  '1 fortnight',
  '5x',
  '1h-',
  'h',
  'ms',
  '-5s',
  '1.s',
  '30m!',
  'NaN',
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  undefined,
  true,
  {},
  [],
  ['1s'],
];

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'undefined');
}

for (const value of garbage) {
  test(`duration › rejects ${show(value)} (${typeof value})`, (t) => {
    t.is(parseDuration(value), undefined);
  });
}

test('duration › formats milliseconds compactly', (t) => {
  t.is(formatDuration(850), '850ms');
  t.is(formatDuration(1500), '1.5s');
  t.is(formatDuration(2000), '2s');
  t.is(formatDuration(12_345), '12.3s');
  t.is(formatDuration(90_000), '1m30s');
  t.is(formatDuration(120_000), '2m');
  t.is(formatDuration(3_600_000), '1h');
  t.is(formatDuration(5_400_000), '1h30m');
  t.is(formatDuration(Number.POSITIVE_INFINITY), '∞');
});

test('duration › drops seconds once a duration reaches an hour', (t) => {
  t.is(formatDuration(3_600_000 + 61_000), '1h1m');
});

test(`duration › reads back what it formats for whole minutes (seed=${SEED})`, (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (minutes) => {
        const ms = minutes * 60_000;
        return parseDuration(formatDuration(ms)) === ms;
      }),
      fcParams(200),
    ),
  );
});

test(`duration › reads back what it formats for whole seconds under an hour (seed=${SEED})`, (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3599 }), (seconds) => {
        const ms = seconds * 1000;
        return parseDuration(formatDuration(ms)) === ms;
      }),
      fcParams(200),
    ),
  );
});

test(`duration › adds up the parts of a compound duration (seed=${SEED})`, (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.nat(48),
        fc.nat(59),
        fc.nat(59),
        fc.nat(999),
        (h, m, s, ms) =>
          parseDuration(`${h}h${m}m${s}s${ms}ms`) === h * 3_600_000 + m * 60_000 + s * 1000 + ms,
      ),
      fcParams(200),
    ),
  );
});
