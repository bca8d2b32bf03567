import test from 'ava';
import {
  BYTES_PER_MB,
  charmanderEstimate,
  ESTIMATOR_NAMES,
  ESTIMATORS,
  isEstimatorName,
  p99WindowEstimate,
  percentile,
} from '../../../src/core/intelligence/estimators.ts';

/** A history whose only sample is `mb` (the peak is the sample). */
const one = (mb: number) => ({ window: [mb], peak: mb });
/** MB (2^20 bytes) of a byte count. */
const mbOfBytes = (bytes: number) => bytes / BYTES_PER_MB;

test('estimators › the registry names charmander and p99-window', (t) => {
  t.deepEqual(ESTIMATOR_NAMES, ['charmander', 'p99-window']);
  t.true(isEstimatorName('charmander'));
  t.false(isEstimatorName('off'));
  t.false(isEstimatorName('toString'));
  t.is(ESTIMATORS.charmander, charmanderEstimate);
});

test('estimators › percentile is nearest-rank', (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 99), 99);
  t.is(percentile(hundred, 100), 100);
  t.is(percentile([5], 50), 5);
  t.is(percentile([1, 2, 3], 99), 3);
  t.is(percentile([], 99), undefined);
});

test('charmander › under 1,000,000 bytes observed gives 2 MB (500 KB, half a MB)', (t) => {
  t.is(charmanderEstimate(one(mbOfBytes(500_000))), 2);
  t.is(charmanderEstimate(one(0.5)), 2);
  t.is(charmanderEstimate(one(0)), 2);
});

test('charmander › 60 MB observed (62,914,560 bytes) gives ceil(62 × 1.1) = 69 MB', (t) => {
  t.is(charmanderEstimate(one(60)), 69);
});

test('charmander › 60,000,000 bytes give 66 MB; exactly 1,000,000 bytes give 2 MB', (t) => {
  t.is(charmanderEstimate(one(mbOfBytes(60_000_000))), 66);
  t.is(charmanderEstimate(one(mbOfBytes(1_000_000))), 2);
  t.is(charmanderEstimate(one(mbOfBytes(1_999_999))), 2, 'integer division: trunc(1.999999) = 1');
});

test('charmander › keeps Go float arithmetic: 50,000,000 bytes give 56 MB (50 × 1.1 = 55.00000000000001)', (t) => {
  t.is(charmanderEstimate(one(mbOfBytes(50_000_000))), 56);
});

test('charmander › 10 MB → 11, 100 MB → 115, 1000 MB → 1153', (t) => {
  t.is(charmanderEstimate(one(10)), 11);
  t.is(charmanderEstimate(one(100)), 115);
  t.is(charmanderEstimate(one(1000)), 1153);
});

test('charmander › reads the monotone running maximum, not the recent window', (t) => {
  t.is(charmanderEstimate({ window: [10, 12], peak: 60 }), 69);
  t.is(charmanderEstimate({ window: [] }), undefined);
});

test('p99-window › a steady 60 MB window gives 60 × 1.15 = 69 MB', (t) => {
  t.is(p99WindowEstimate({ window: Array(100).fill(60), peak: 60 }), 69);
});

test('p99-window › 1…100 MB: p99 = 99 → 113.85 → 114 MB', (t) => {
  const window = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(p99WindowEstimate({ window, peak: 100 }), 114);
});

test('p99-window › never below the window peak: 99 × 10 MB and one 200 MB sample give 200 MB', (t) => {
  t.is(p99WindowEstimate({ window: [...Array(99).fill(10), 200], peak: 200 }), 200);
});

test('p99-window › follows the window, not the all-time peak: 50 MB samples give 58 MB', (t) => {
  t.is(p99WindowEstimate({ window: [50, 50, 50], peak: 400 }), 58);
});

test('p99-window › at least 2 MB; a bare peak stands in for an empty window; nothing gives nothing', (t) => {
  t.is(p99WindowEstimate({ window: [0.1] }), 2);
  t.is(p99WindowEstimate({ window: [], peak: 60 }), 69);
  t.is(p99WindowEstimate({ window: [] }), undefined);
});

test('p99-window › rounds up fractions of a MB', (t) => {
  t.is(p99WindowEstimate({ window: [47.6837158203125] }), 55, '54.8 → 55');
  t.is(p99WindowEstimate({ window: [100.0004] }), 115, '115.00046 → 115: Mesos keeps 3 decimals');
  t.is(p99WindowEstimate({ window: [100.004] }), 116, '115.0046 → 116');
});
