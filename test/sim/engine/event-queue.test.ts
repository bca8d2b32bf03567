import test from 'ava';
import fc from 'fast-check';
import { EventQueue } from '../../../sim/engine/event-queue.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function drain<T>(q: EventQueue<T>): T[] {
  const out: T[] = [];
  for (let guard = 0; q.size > 0 && guard < 1_000_000; guard++) out.push(q.pop() as T);
  return out;
}

test('EventQueue › pops events in time order', (t) => {
  const q = new EventQueue<string>();
  q.push(30, 'c');
  q.push(10, 'a');
  q.push(20, 'b');
  q.push(5.5, 'first');
  t.is(q.size, 4);
  t.is(q.peekTime(), 5.5);
  t.deepEqual(drain(q), ['first', 'a', 'b', 'c']);
});

test('EventQueue › pops events at the same time in the order they were pushed', (t) => {
  const q = new EventQueue<string>();
  q.push(10, 'x1');
  q.push(5, 'early');
  q.push(10, 'x2');
  q.push(10, 'x3');
  q.push(20, 'late');
  q.push(10, 'x4');
  t.deepEqual(drain(q), ['early', 'x1', 'x2', 'x3', 'x4', 'late']);
});

test('EventQueue › keeps insertion order for ties pushed after earlier pops', (t) => {
  const q = new EventQueue<string>();
  q.push(10, 'a');
  q.push(10, 'b');
  t.is(q.pop(), 'a');
  q.push(10, 'c');
  q.push(0, 'zero');
  t.deepEqual(drain(q), ['zero', 'b', 'c']);
});

test('EventQueue › is empty when new: pop gives undefined and peekTime Infinity', (t) => {
  const q = new EventQueue<number>();
  t.is(q.size, 0);
  t.is(q.pop(), undefined);
  t.is(q.peekTime(), Number.POSITIVE_INFINITY);
  q.push(1, 42);
  t.is(q.pop(), 42);
  t.is(q.pop(), undefined);
  t.is(q.peekTime(), Number.POSITIVE_INFINITY);
});

test('EventQueue › grows past its initial capacity and keeps the order', (t) => {
  const q = new EventQueue<number>(16);
  const n = 1000;
  for (let i = 0; i < n; i++) q.push((n - i) % 37, i);
  t.is(q.size, n);
  const expected = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => ((n - a) % 37) - ((n - b) % 37) || a - b,
  );
  t.deepEqual(drain(q), expected);
  t.is(q.size, 0);
});

test('EventQueue › reuses payload slots when pushes and pops interleave beyond the capacity', (t) => {
  const q = new EventQueue<string>(16);
  const popped: string[] = [];
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 12; i++) q.push(round * 100 + i, `r${round}-${i}`);
    for (let i = 0; i < 10; i++) popped.push(q.pop() as string);
  }
  popped.push(...drain(q));
  t.is(popped.length, 120);
  t.is(new Set(popped).size, 120, 'no payload lost or duplicated');
  const times = popped.map((p) => {
    const m = /^r(\d+)-(\d+)$/.exec(p);
    return Number(m?.[1]) * 100 + Number(m?.[2]);
  });
  t.deepEqual(
    times,
    Array.from({ length: 120 }, (_, i) => i).map((i) => Math.floor(i / 12) * 100 + (i % 12)),
    'every pop gives the earliest event left',
  );
});

type Op = { readonly kind: 'push'; readonly time: number } | { readonly kind: 'pop' };

test(`EventQueue › agrees with sorting (time, seq) pairs under any mix of pushes and pops (seed=${SEED})`, (t) => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 25 }).map((time): Op => ({ kind: 'push', time })) },
    {
      weight: 1,
      arbitrary: fc.double({ min: 0, max: 25, noNaN: true }).map((time): Op => ({ kind: 'push', time })),
    },
    { weight: 2, arbitrary: fc.constant<Op>({ kind: 'pop' }) },
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const q = new EventQueue<number>(16);
        const model: { time: number; seq: number }[] = [];
        let seq = 0;
        const check = (): void => {
          model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          if (q.size !== model.length) throw new Error(`size ${q.size} != ${model.length}`);
          const want = model[0]?.time ?? Number.POSITIVE_INFINITY;
          if (q.peekTime() !== want) throw new Error(`peekTime ${q.peekTime()} != ${want}`);
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            q.push(o.time, seq);
            model.push({ time: o.time, seq });
            seq++;
          } else {
            check();
            const got = q.pop();
            const want = model.shift()?.seq;
            if (got !== want) throw new Error(`popped ${got}, expected ${want}`);
          }
        }
        check();
        const rest = drain(q);
        const wantRest = model.map((m) => m.seq);
        if (JSON.stringify(rest) !== JSON.stringify(wantRest))
          throw new Error(`drained ${rest.join(',')}, expected ${wantRest.join(',')}`);
      }),
      fcParams(300),
    ),
  );
});
