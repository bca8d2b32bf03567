import test from 'ava';
import { EventHub } from '../../src/daemon/event-hub.ts';

const paused = { type: 'paused', paused: true } as const;

test('event hub › ids continue from the first id it is given', (t) => {
  const hub = new EventHub(10, 5_000);
  hub.publish(paused, 0);
  hub.publish(paused, 1);
  t.deepEqual(
    hub.since(0).events.map((e) => e.id),
    [5_000, 5_001],
  );
  t.is(hub.lastId, 5_001);
});

test('event hub › a client resuming with an id from an earlier run learns that it missed events', (t) => {
  const before = new EventHub(10, 1_000);
  before.publish(paused, 0);
  const seen = before.lastId;
  const after = new EventHub(10, 2_000);
  after.publish(paused, 0);
  const { events, complete } = after.since(seen);
  t.false(complete, 'the earlier run is not in this ring: list again');
  t.deepEqual(
    events.map((e) => e.id),
    [2_000],
  );
});

test('event hub › a full ring drops the oldest events and says so to a client that missed them', (t) => {
  const hub = new EventHub(2);
  for (let i = 0; i < 4; i++) hub.publish(paused, i);
  t.deepEqual(
    hub.since(0).events.map((e) => e.id),
    [3, 4],
  );
  t.false(hub.since(1).complete);
  t.true(hub.since(2).complete);
});

test('event hub › 0 means "from the start": everything kept, no reset while the first event is still there', (t) => {
  const hub = new EventHub(10, 7_000);
  hub.publish(paused, 0);
  t.true(hub.since(0).complete);
  t.is(hub.since(0).events.length, 1);
});
