import test from 'ava';
import type { DeclineCall } from '../../../src/core/mesos/v1.ts';
import { agentId, calls, Harness, launched, offer, offersEvent, spec } from '../../helpers/core.ts';

test('offers › after subscribing, an idle framework takes offers for one idle period, then suppresses', (t) => {
  const h = new Harness({ idleSuppressMs: 60_000 }).subscribe();
  t.is(calls(h.all, 'SUPPRESS').length, 0, 'it looks at the cluster first');
  h.feed(offersEvent(offer(0)), 1000);
  t.is(h.state.agents.size, 1, 'so it learns the agents even with nothing queued');
  t.is(calls(h.feed({ type: 'timer', key: 'idle' }, 60_000), 'SUPPRESS').length, 1);
  t.true(h.state.framework.suppressed);
});

test('offers › new work after a suppress revives offers', (t) => {
  const h = new Harness({ idleSuppressMs: 0 }).subscribe();
  t.true(h.state.framework.suppressed);
  h.now = 5000;
  const cmds = h.feed({ type: 'submit', spec: spec({ id: 'w' }), kind: 'service' });
  t.is(calls(cmds, 'REVIVE').length, 1);
  t.false(h.state.framework.suppressed);
});

test('offers › unused offers are declined after the hold time with the short filter while work keeps coming', (t) => {
  const h = new Harness({ offerHoldMs: 30_000, declineRefuseSeconds: 5, idleSuppressMs: 60_000 }).subscribe();
  h.submit(spec({ id: 'w' }));
  h.feed(offersEvent(offer(0), offer(1)), 1000);
  t.is(h.state.offers.size, 1, 'one offer used, one held');
  t.is(h.state.timers.get('offers'), 31_000, 'a timer for the hold expiry');
  const cmds = h.feed({ type: 'timer', key: 'offers' }, 31_000);
  const [decline] = calls(cmds, 'DECLINE') as DeclineCall[];
  t.is(decline?.decline.offer_ids.length, 1);
  t.deepEqual(decline?.decline.filters, { refuse_seconds: 5 });
  t.false(h.state.framework.suppressed, 'work came in less than idleSuppressMs ago');
  t.is(h.state.timers.get('idle'), 60_000);
});

test('offers › once nothing was queued for idleSuppressMs, unused offers get the long filter and offers are suppressed', (t) => {
  const h = new Harness({ offerHoldMs: 30_000, idleRefuseSeconds: 120, idleSuppressMs: 60_000 }).subscribe();
  h.submit(spec({ id: 'w' }));
  h.feed(offersEvent(offer(0), offer(1)), 1000);
  h.feed({ type: 'timer', key: 'offers' }, 31_000);
  h.feed(offersEvent(offer(2)), 40_000);
  const cmds = h.feed({ type: 'timer', key: 'offers' }, 70_000);
  const [decline] = calls(cmds, 'DECLINE') as DeclineCall[];
  t.deepEqual(decline?.decline.filters, { refuse_seconds: 120 });
  t.is(calls(cmds, 'SUPPRESS').length, 1);
});

test('offers › unused offers are declined with the short filter while tasks wait', (t) => {
  const h = new Harness({ offerHoldMs: 10_000, declineRefuseSeconds: 5 }).subscribe();
  h.submit(spec({ id: 'big', mem: 99_999 }));
  h.feed(offersEvent(offer(0)), 0);
  const [decline] = calls(h.feed({ type: 'timer', key: 'offers' }, 10_000), 'DECLINE') as DeclineCall[];
  t.deepEqual(decline?.decline.filters, { refuse_seconds: 5 });
});

test('offers › while work keeps coming, a held offer is used at once, without a REVIVE', (t) => {
  const h = new Harness().subscribe();
  h.submit(spec({ id: 'first' }));
  h.feed(offersEvent(offer(0, { cpus: 0.1, mem: 64 }), offer(1)), 100);
  t.is(launched(h.last).length, 1);
  const cmds = h.feed({ type: 'submit', spec: spec({ id: 'late' }), kind: 'service' }, 5000);
  t.is(calls(cmds, 'REVIVE').length, 0);
  t.is(launched(cmds).length, 1);
});

test('offers › after a REVIVE placement waits for the re-offers, then places against all of them', (t) => {
  const h = new Harness({ placement: 'bin-pack', reviveWaitMs: 2000, idleSuppressMs: 0 }).subscribe();
  h.feed(offersEvent(offer(0, { cpus: 4, mem: 4096 })), 0);
  const cmds = h.feed({ type: 'submit', spec: spec({ id: 'w', mem: 512 }), kind: 'service' }, 100);
  t.is(calls(cmds, 'REVIVE').length, 1);
  t.is(launched(cmds).length, 0, 'the one held offer is not enough of a view');
  t.is(h.state.timers.get('gather'), 2100);
  const revived = h.feed(offersEvent(offer(1, { cpus: 1, mem: 1024 })), 1000);
  t.deepEqual(
    launched(revived).map((l) => l.agent),
    [agentId(1)],
    'bin-pack picks the fuller agent that came with the re-offers',
  );
});

test('offers › without re-offers the wait ends at the gather timer', (t) => {
  const h = new Harness({ reviveWaitMs: 2000, idleSuppressMs: 0 }).subscribe();
  h.feed(offersEvent(offer(0)), 0);
  h.feed({ type: 'submit', spec: spec({ id: 'w' }), kind: 'service' }, 100);
  t.is(launched(h.feed({ type: 'timer', key: 'gather' }, 2100)).length, 1);
});

test('offers › a task that could fit on an agent whose offer was declined triggers a REVIVE', (t) => {
  const h = new Harness({ offerHoldMs: 1000, declineRefuseSeconds: 5, reviveIntervalMs: 5000 }).subscribe();
  h.submit(spec({ id: 'a', mem: 100 }));
  h.feed(offersEvent(offer(0, { mem: 2000 }), offer(1, { mem: 2000 })), 10);
  h.feed({ type: 'timer', key: 'offers' }, 1010);
  t.is(h.state.offers.size, 0, 'the unused offer was declined');
  const cmds = h.feed({ type: 'submit', spec: spec({ id: 'b', mem: 1500 }), kind: 'service' }, 6000);
  t.is(calls(cmds, 'REVIVE').length, 1, 'host-1 had room at the last look');
});

test('offers › a rescinded offer is forgotten and never used', (t) => {
  const h = new Harness().subscribe();
  const o = offer(0);
  h.feed(offersEvent(o));
  h.feed({ type: 'event', event: { type: 'RESCIND', rescind: { offer_id: o.id } } });
  t.is(h.state.offers.size, 0);
  t.is(launched(h.feed({ type: 'submit', spec: spec({ id: 'w' }), kind: 'service' })).length, 0);
});

test('offers › a revive is sent at most once per interval; a later one waits for a timer', (t) => {
  const h = new Harness({ reviveIntervalMs: 1000, offerHoldMs: 100, idleSuppressMs: 0 }).subscribe();
  h.feed({ type: 'submit', spec: spec({ id: 'a', mem: 99_999 }), kind: 'service' }, 1000);
  t.is(calls(h.last, 'REVIVE').length, 1);
  h.feed({ type: 'kill', prefix: 'a' }, 1001);
  h.feed(offersEvent(offer(0)), 1002);
  h.feed({ type: 'timer', key: 'offers' }, 1102);
  t.true(h.state.framework.suppressed, 'idle again: declined and suppressed');
  const early = h.feed({ type: 'submit', spec: spec({ id: 'b' }), kind: 'service' }, 1200);
  t.is(calls(early, 'REVIVE').length, 0, 'too soon after the last revive');
  t.is(h.state.timers.get('revive'), 2000);
  const due = h.feed({ type: 'timer', key: 'revive' }, 2000);
  t.is(calls(due, 'REVIVE').length, 1);
});

test('offers › an agent whose offer was declined with room left is remembered as one a REVIVE could bring back', (t) => {
  const h = new Harness().subscribe();
  h.feed(offersEvent(offer(0), offer(1)), 1_000);
  t.deepEqual([...h.state.roomWithoutOffer], [], 'both hold offers');
  h.feed({ type: 'timer', key: 'offers' }, 31_000);
  t.deepEqual([...h.state.roomWithoutOffer].sort(), [agentId(0), agentId(1)], 'declined with room');
  h.feed({ type: 'hold', hostname: 'host-1', held: true }, 32_000);
  t.deepEqual([...h.state.roomWithoutOffer], [agentId(0)], 'a held agent is not a candidate');
  h.submit(spec({ id: 'big', cpus: 4, mem: 4096 }));
  h.feed(offersEvent(offer(0)), 33_000);
  t.deepEqual([...h.state.roomWithoutOffer], [], 'the task used all of agent 0');
});
