import test from 'ava';
import fc from 'fast-check';
import { compareAgentIds } from '../../../src/core/model/agent-order.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

const MASTER = '5f3c2a1b-0000-4000-8000-000000000000';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/**
 * Agent ids drawn from a small alphabet so that equal prefixes, digit runs, leading zeros and
 * Mesos-shaped ids (`<master>-S<n>`) all come up often.
 */
const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom('0', '1', '2', '9', 'a', 'b', 'S', '-', '.'), maxLength: 8 }),
  fc
    .tuple(fc.constantFrom('m1-S', 'm2-S', 'm1-T', 'S', ''), fc.integer({ min: 0, max: 120 }), fc.nat(2))
    .map(([prefix, n, zeros]) => `${prefix}${'0'.repeat(zeros)}${n}`),
);

test('compareAgentIds › sorts S2 before S10 in Mesos ids', (t) => {
  t.true(compareAgentIds(`${MASTER}-S2`, `${MASTER}-S10`) < 0);
  t.true(compareAgentIds(`${MASTER}-S10`, `${MASTER}-S2`) > 0);
  const ids = [10, 2, 1, 100, 0, 11, 9].map((n) => `${MASTER}-S${n}`);
  t.deepEqual(
    [...ids].sort(compareAgentIds),
    [0, 1, 2, 9, 10, 11, 100].map((n) => `${MASTER}-S${n}`),
  );
});

test('compareAgentIds › is zero only for equal ids', (t) => {
  t.is(compareAgentIds(`${MASTER}-S3`, `${MASTER}-S3`), 0);
  t.not(compareAgentIds('S01', 'S1'), 0);
  t.not(compareAgentIds('a01b', 'a1b'), 0);
});

test('compareAgentIds › orders ids without digits as plain strings', (t) => {
  t.true(compareAgentIds('alpha', 'beta') < 0);
  t.true(compareAgentIds('beta', 'alpha') > 0);
  t.true(compareAgentIds('node', 'node-b') < 0);
  t.true(compareAgentIds('', 'a') < 0);
  t.deepEqual(['gamma', 'alpha', 'beta', 'al'].sort(compareAgentIds), ['al', 'alpha', 'beta', 'gamma']);
});

test('compareAgentIds › compares digit runs in the middle of an id by value', (t) => {
  t.true(compareAgentIds('rack2-node7', 'rack10-node1') < 0);
  t.true(compareAgentIds('rack2-node7', 'rack2-node10') < 0);
  t.true(compareAgentIds('host9', 'hostA') < 0, 'digits before letters, as in plain string order');
});

test('compareAgentIds › breaks ties between equal values with leading zeros deterministically', (t) => {
  t.true(compareAgentIds('S01', 'S1') < 0);
  t.true(compareAgentIds('S1', 'S01') > 0);
  t.true(compareAgentIds('S007', 'S8') < 0);
  t.true(compareAgentIds('S010', 'S9') > 0);
});

test('compareAgentIds › a different prefix decides before the trailing number', (t) => {
  t.true(compareAgentIds('m1-S10', 'm2-S2') < 0);
  t.true(compareAgentIds('m2-S2', 'm1-S10') > 0);
  t.true(compareAgentIds('a-S5', 'a-T1') < 0);
});

test(`compareAgentIds › is reflexive and antisymmetric (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(idArb, idArb, (a, b) => {
      if (compareAgentIds(a, a) !== 0) return false;
      const ab = sign(compareAgentIds(a, b));
      const ba = sign(compareAgentIds(b, a));
      return ab === -ba && (ab === 0) === (a === b);
    }),
    fcParams(2000),
  );
  t.pass();
});

test(`compareAgentIds › is transitive (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(idArb, idArb, idArb, (a, b, c) => {
      const [x, y, z] = [a, b, c].sort(compareAgentIds) as [string, string, string];
      // A sorted triple must be ordered pairwise, including the outer pair.
      return compareAgentIds(x, y) <= 0 && compareAgentIds(y, z) <= 0 && compareAgentIds(x, z) <= 0;
    }),
    fcParams(2000),
  );
  t.pass();
});

test(`compareAgentIds › sorting is independent of the input order (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(idArb, { maxLength: 12 }), fc.nat(), (ids, rot) => {
      const a = [...ids].sort(compareAgentIds);
      const shifted = ids.map((_, i) => ids[(i + rot) % ids.length] as string).reverse();
      const b = shifted.sort(compareAgentIds);
      return JSON.stringify(a) === JSON.stringify(b);
    }),
    fcParams(500),
  );
  t.pass();
});

test(`compareAgentIds › orders ids with one prefix by their number (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(fc.nat(100_000), fc.nat(100_000), (m, n) => {
      return sign(compareAgentIds(`${MASTER}-S${m}`, `${MASTER}-S${n}`)) === sign(m - n);
    }),
    fcParams(500),
  );
  t.pass();
});
