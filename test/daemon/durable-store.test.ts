import test from 'ava';
import { DurableBuilder, type DurableChange, durableView } from '../../src/core/scheduler/durable.ts';
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
