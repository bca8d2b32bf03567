import test from 'ava';
import type { IntelligenceView } from '../../src/core/intelligence/view.ts';
import {
  DurableBuilder,
  type DurableChange,
  durableView,
  restoreState,
} from '../../src/core/scheduler/durable.ts';
import { intelligenceView } from '../../src/core/scheduler/intelligence.ts';
import { DurableStore } from '../../src/daemon/durable-store.ts';
import { event, FW, Harness, launched, offer, offersEvent, records, spec, update } from '../helpers/core.ts';

test('durable store › the changes the daemon journals rebuild the same view when replayed over nothing', (t) => {
  const h = new Harness();
  const builder = new DurableBuilder();
  const sink = {
    sinceSnapshot: 0,
    append: (c: DurableChange) => {
      builder.apply(JSON.parse(JSON.stringify(c)));
      return 0;
    },
    snapshot: async () => undefined,
  };
  const store = new DurableStore(sink, () => h.state);
  const feed = (input: Parameters<Harness['feed']>[0]) => {
    for (const r of records(h.feed(input))) store.record(r);
    if (input.type === 'kill') store.families();
  };
  feed({ type: 'connected' });
  feed(
    event({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: FW }, heartbeat_interval_seconds: 15 },
    }),
  );
  feed({ type: 'submit', spec: spec({ id: 'a' }), kind: 'service', count: 2 });
  feed({ type: 'submit', spec: spec({ id: 'one', sla: 'one-per-node' }), kind: 'service' });
  feed(offersEvent(offer(0), offer(1)));
  for (const l of launched(h.all))
    feed(update(l.task, 'TASK_FAILED', { agent: Number(l.agent.split('-S')[1]), uuid: 'x' }));
  feed({ type: 'kill', prefix: 'one' });
  feed({ type: 'hold', hostname: 'host-0', held: true, reason: 'disk' });
  feed({ type: 'pause', paused: true });
  t.deepEqual(builder.view(), JSON.parse(JSON.stringify(durableView(h.state))));
});

test('durable store › task intelligence is journalled when sizing would change, and replays to the same sizing', (t) => {
  const h = new Harness({ sizing: 'p99-window' });
  const builder = new DurableBuilder();
  const appended: DurableChange[] = [];
  const sink = {
    sinceSnapshot: 0,
    append: (c: DurableChange) => {
      appended.push(c);
      builder.apply(JSON.parse(JSON.stringify(c)));
      return 0;
    },
    snapshot: async () => undefined,
  };
  const store = new DurableStore(sink, () => h.state);
  const feed = (input: Parameters<Harness['feed']>[0]) => {
    for (const r of records(h.feed(input))) store.record(r);
  };
  feed({ type: 'connected' });
  feed(
    event({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: FW }, heartbeat_interval_seconds: 15 },
    }),
  );
  feed({ type: 'submit', spec: spec({ id: 'a', mem: 100 }), kind: 'service', count: 2 });
  feed(offersEvent(offer(0)));
  const ids = launched(h.all).map((l) => l.task);
  for (const id of ids) feed(update(id, 'TASK_RUNNING', { agent: 0 }));
  let intelligenceRecords = 0;
  for (let round = 0; round < 50; round++) {
    const cmds = h.feed({
      type: 'usage',
      samples: ids.map((task, i) => ({ task, memMb: 40 + ((round + i) % 3), cpus: 0.2 })),
    });
    for (const r of records(cmds)) {
      store.record(r);
      if (r.type === 'intelligence') intelligenceRecords++;
    }
  }
  feed({ type: 'intelligence-set', id: 'b', overrides: { mem: 12, nodename: 'host-0' } });
  feed({ type: 'intelligence-set', id: 'c', overrides: { sla: 'singleton' } });
  feed({ type: 'intelligence-clear', id: 'c' });
  const journalled = appended.filter((c) => c.k === 'intelligence');
  t.is(journalled.length, intelligenceRecords + 3, 'one entry per record');
  t.true(
    intelligenceRecords < 5,
    `usage churn stays out of the journal (${intelligenceRecords} records for 100 samples)`,
  );
  t.deepEqual(journalled.at(-1), { k: 'intelligence', id: 'c', entry: null });

  const restored = restoreState(h.state.config, builder.view(), 0);
  const sizing = (views: IntelligenceView[]) =>
    views.map((v) => ({
      id: v.id,
      peak: Math.ceil(v.peak.memMb ?? 0),
      estimates: v.estimates,
      inEffect: v.inEffect,
      overrides: v.overrides,
    }));
  t.deepEqual(sizing(intelligenceView(restored)), sizing(intelligenceView(h.state)));
  t.deepEqual(
    builder.view().intelligence?.map((e) => e.id),
    ['a', 'b'],
  );
});
