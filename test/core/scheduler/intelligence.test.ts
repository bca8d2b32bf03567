import test from 'ava';
import type { AcceptCall } from '../../../src/core/mesos/v1.ts';
import type { Command } from '../../../src/core/scheduler/commands.ts';
import { makeConfig } from '../../../src/core/scheduler/config.ts';
import type { Input } from '../../../src/core/scheduler/inputs.ts';
import {
  exportIntelligence,
  intelligenceView,
  resubmittedSpec,
} from '../../../src/core/scheduler/intelligence.ts';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
import { createState } from '../../../src/core/scheduler/state.ts';
import { calls, Harness, launched, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';

type Submitted = Extract<SchedulerRecord, { type: 'task-submitted' }>;
type IntelRecord = Extract<SchedulerRecord, { type: 'intelligence' }>;

const submitted = (cmds: readonly Command[]) => records(cmds, 'task-submitted') as Submitted[];
const intel = (cmds: readonly Command[]) => records(cmds, 'intelligence') as IntelRecord[];

/** Reports every task launched so far and not yet running as TASK_RUNNING. */
function runningAll(h: Harness): void {
  for (const l of launched(h.all)) {
    if (h.state.tasks.get(l.task)?.phase !== 'launching') continue;
    h.feed(update(l.task, 'TASK_RUNNING', { agent: Number(l.agent.split('-S')[1]) }));
  }
}

/** A subscribed harness with one running copy of `stress60` (asks 100 MB) on agent 0. */
function withRunning(sizing: string, raw: Record<string, unknown> = {}): { h: Harness; task: string } {
  const h = new Harness({ sizing }).subscribe();
  const [task] = h.submit(spec({ id: 'stress60', mem: 100, reshuffleable: true, ...raw }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  return { h, task: task as string };
}

function usage(...samples: [string, number, number?][]): Input {
  return {
    type: 'usage',
    samples: samples.map(([task, memMb, cpus]) => ({ task, memMb, cpus: cpus ?? 0.5 })),
  };
}

function acceptedMem(cmds: readonly Command[]): number[] {
  return (calls(cmds, 'ACCEPT') as AcceptCall[]).flatMap((c) =>
    c.accept.operations.flatMap((op) =>
      op.launch.task_infos.flatMap((ti) =>
        ti.resources.flatMap((r) => (r.name === 'mem' && r.scalar ? [r.scalar.value] : [])),
      ),
    ),
  );
}

test('intelligence › usage is recorded per family with a bounded window and the all-time peak', (t) => {
  const { h, task } = withRunning('off');
  h.feed(usage([task, 60, 0.4]));
  for (let i = 0; i < 150; i++) h.feed(usage([task, 30 + (i % 5), 0.2]));
  const family = h.state.intelligence.get('stress60');
  t.is(family?.samples, 151);
  t.is(family?.memWindow.length, 100);
  t.is(family?.cpusWindow.length, 100);
  t.is(family?.peakMemMb, 60);
  t.is(family?.peakCpus, 0.4);
  t.is(family?.lastSampleAt, h.now);
});

test('intelligence › samples of unknown, queued, ended and notmetered tasks and bad values are ignored', (t) => {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  const [quiet] = h.submit(spec({ id: 'quiet', notmetered: true }));
  const [ended] = h.submit(spec({ id: 'ended' }));
  const [ok] = h.submit(spec({ id: 'ok' }));
  const [queued] = h.submit(spec({ id: 'queued', mem: 50_000 }));
  h.feed(offersEvent(offer(0)));
  t.is(h.state.tasks.get(queued as string)?.phase, 'pending', 'no room for it');
  runningAll(h);
  h.feed(update(ended as string, 'TASK_FINISHED', { agent: 0 }));
  const cmds = h.feed(
    usage(
      ['nope-000099', 50],
      [queued as string, 50],
      [quiet as string, 50],
      [ended as string, 50],
      [ok as string, Number.NaN],
      [ok as string, -1],
      [ok as string, 20, Number.POSITIVE_INFINITY],
    ),
  );
  t.is(h.state.intelligence.size, 0);
  t.deepEqual(intel(cmds), []);
});

test('intelligence › steady usage produces one record; a record follows only estimate changes', (t) => {
  const { h, task } = withRunning('off');
  const first = intel(h.feed(usage([task, 60])));
  t.deepEqual(first, [
    {
      type: 'intelligence',
      id: 'stress60',
      cause: 'usage',
      entry: { samples: 1, peakMemMb: 60, estimates: { charmander: 69, 'p99-window': 69 }, overrides: {} },
    },
  ]);
  for (let i = 0; i < 20; i++) t.deepEqual(intel(h.feed(usage([task, 59.5]))), []);
  const up = intel(h.feed(usage([task, 61])));
  t.is(up.length, 1);
  t.deepEqual(up[0]?.entry?.estimates, { charmander: 70, 'p99-window': 71 });
});

test('intelligence › with sizing off every task runs as submitted', (t) => {
  const { h, task } = withRunning('off');
  h.feed(usage([task, 60]));
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: 10, nodename: 'host-1' } });
  const [rec] = submitted(
    h.feed({ type: 'submit', spec: spec({ id: 'stress60', mem: 100 }), kind: 'service' }),
  );
  t.is(rec?.spec.mem, 100);
  t.is(rec?.spec.nodename, undefined);
  t.false('requested' in (rec ?? {}));
  const created = h.state.tasks.get(rec?.task ?? '');
  t.is(created?.requested, created?.spec);
});

test('intelligence › charmander sizing right-sizes a submission; the record shows both specs', (t) => {
  const { h, task } = withRunning('charmander');
  h.feed(usage([task, 60]));
  const [rec] = submitted(
    h.feed({ type: 'submit', spec: spec({ id: 'stress60', mem: 100 }), kind: 'service' }),
  );
  t.is(rec?.spec.mem, 69);
  t.is(rec?.requested?.mem, 100);
  const created = h.state.tasks.get(rec?.task ?? '');
  t.is(created?.need.mem, 69);
  t.is(created?.requested.mem, 100);
  t.deepEqual(acceptedMem(h.feed(offersEvent(offer(1)))), [69], 'the launch asks Mesos for the sized memory');
});

test('intelligence › a relaunch picks up the latest estimate', (t) => {
  const { h, task } = withRunning('charmander');
  h.feed(usage([task, 60]));
  const [rec] = submitted(h.feed(update(task, 'TASK_FAILED', { agent: 0 })));
  t.is(rec?.origin, 'relaunch');
  t.is(rec?.spec.mem, 69);
  t.is(rec?.requested?.mem, 100);
  const relaunched = h.state.tasks.get(rec?.task ?? '');
  t.is(relaunched?.requested.mem, 100, 'keeps the request, not the previous size');
});

test('intelligence › a reshuffle resubmits every copy right-sized (Charmander’s experiment)', (t) => {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  const ids = h.submit(spec({ id: 'stress60', mem: 100, reshuffleable: true }), { count: 3 });
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  h.feed(usage(...ids.map((id, i): [string, number] => [id, 55 + i])));
  const cmds = h.feed({ type: 'reshuffle' });
  const recs = submitted(cmds);
  t.deepEqual(
    recs.map((r) => [r.origin, r.spec.mem]),
    [
      ['reshuffle', 65],
      ['reshuffle', 65],
      ['reshuffle', 65],
    ],
    'peak 57 MB = 59,768,832 bytes → ceil(59 × 1.1) = 65',
  );
});

test('intelligence › one-per-node copies for agents that join later are right-sized', (t) => {
  const h = new Harness({ sizing: 'p99-window' }).subscribe();
  h.feed(offersEvent(offer(0)));
  h.submit(spec({ id: 'cadvisor', mem: 50, sla: 'one-per-node' }));
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  const [copy] = [...h.state.tasks.values()].filter((x) => x.phase === 'running');
  h.feed(usage([copy?.id ?? '', 20]));
  const recs = submitted(h.feed(offersEvent(offer(1))));
  t.deepEqual(
    recs.map((r) => [r.origin, r.spec.mem, r.spec.sla]),
    [['one-per-node', 23, 'one-per-node']],
  );
});

test('intelligence › the manual mem override wins over the estimate but never goes below the peak', (t) => {
  const { h, task } = withRunning('charmander');
  h.feed(usage([task, 60.2]));
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: 500 } });
  const submit = () =>
    submitted(h.feed({ type: 'submit', spec: spec({ id: 'stress60', mem: 100 }), kind: 'service' }))[0];
  t.is(submit()?.spec.mem, 500);
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: 40 } });
  t.is(submit()?.spec.mem, 61, 'the override is raised to the observed peak, rounded up');
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: null } });
  t.is(submit()?.spec.mem, 70, 'back to the estimate: 63,124,275 bytes → ceil(63 × 1.1) = 70');
});

test('intelligence › nodename and sla overrides apply like Charmander’s keys', (t) => {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  h.feed({ type: 'intelligence-set', id: 'db', overrides: { nodename: 'host-1', sla: 'singleton' } });
  const [rec] = submitted(h.feed({ type: 'submit', spec: spec({ id: 'db' }), kind: 'service' }));
  t.is(rec?.spec.nodename, 'host-1');
  t.is(rec?.spec.sla, 'singleton');
  t.is(rec?.spec.mem, 64, 'no usage yet: mem as requested');
  t.is(rec?.requested?.sla, undefined);
  t.is(h.state.families.get('db')?.spec.sla, 'singleton', 'the SLA override made it a singleton family');
  const again = records(h.feed({ type: 'submit', spec: spec({ id: 'db' }), kind: 'service' }));
  t.is(again[0]?.type, 'submit-rejected', 'a second copy of the singleton is refused');
  const placed = launched(h.feed(offersEvent(offer(0), offer(1))));
  t.deepEqual(
    placed.map((l) => l.agent),
    ['m1-S1'],
    'pinned to host-1',
  );
});

test('intelligence › the nodename override does not pin one-per-node copies', (t) => {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  h.feed(offersEvent(offer(0), offer(1)));
  h.feed({ type: 'intelligence-set', id: 'cadvisor', overrides: { nodename: 'host-1' } });
  const recs = submitted(
    h.feed({ type: 'submit', spec: spec({ id: 'cadvisor', sla: 'one-per-node' }), kind: 'service' }),
  );
  t.is(recs.length, 2);
  t.true(recs.every((r) => r.spec.nodename === undefined));
});

test('intelligence › notmetered specs keep their mem unless overridden by hand', (t) => {
  const h = new Harness({ sizing: 'charmander' }).subscribe();
  h.feed({
    type: 'intelligence-import',
    entries: [{ id: 'quiet', samples: 1, peakMemMb: 60, window: { memMb: [60], cpus: [0] }, overrides: {} }],
  });
  const quiet = spec({ id: 'quiet', mem: 100, notmetered: true });
  t.is(submitted(h.feed({ type: 'submit', spec: quiet, kind: 'service' }))[0]?.spec.mem, 100);
  h.feed({ type: 'intelligence-set', id: 'quiet', overrides: { mem: 80 } });
  t.is(submitted(h.feed({ type: 'submit', spec: quiet, kind: 'service' }))[0]?.spec.mem, 80);
});

test('intelligence › p99-window sizing uses the recent window', (t) => {
  const h = new Harness({ sizing: 'p99-window' });
  h.feed({
    type: 'intelligence-import',
    entries: [
      {
        id: 'w',
        samples: 500,
        peakMemMb: 50,
        window: { memMb: [40, 42, 41], cpus: [0, 0, 0] },
        overrides: {},
      },
    ],
  });
  const [rec] = submitted(h.feed({ type: 'submit', spec: spec({ id: 'w', mem: 100 }), kind: 'service' }));
  t.is(rec?.spec.mem, 50, 'ceil(42 × 1.15) = 49, raised to the all-time peak of 50');
  t.is(intelligenceView(h.state, 'w')?.estimates['p99-window'], 49);
});

test('intelligence › invalid overrides are refused with a record and change nothing', (t) => {
  const h = new Harness();
  const cmds = h.feed({
    type: 'intelligence-set',
    id: 'x',
    overrides: { mem: -5, sla: 'triple' } as unknown as { mem: number },
  });
  t.deepEqual(records(cmds, 'intelligence-rejected'), [
    {
      type: 'intelligence-rejected',
      id: 'x',
      message:
        'mem must be a number of MB greater than 0 and at most 1073741824, or null, got -5; sla must be one of one-per-node, singleton, or null, got "triple"',
    },
  ]);
  t.is(h.state.intelligence.size, 0);
  t.is(
    records(h.feed({ type: 'intelligence-set', id: 'a/b', overrides: {} }), 'intelligence-rejected').length,
    1,
  );
});

test('intelligence › setting the same overrides twice records once; clearing by scope', (t) => {
  const { h, task } = withRunning('charmander');
  h.feed(usage([task, 60]));
  t.is(intel(h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: 90 } })).length, 1);
  t.is(intel(h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { mem: 90 } })).length, 0);
  const cleared = intel(h.feed({ type: 'intelligence-clear', id: 'stress60', what: 'overrides' }));
  t.deepEqual(cleared[0]?.entry?.overrides, {});
  t.is(h.state.intelligence.get('stress60')?.peakMemMb, 60, 'the history stays');
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { sla: 'singleton' } });
  h.feed({ type: 'intelligence-clear', id: 'stress60', what: 'history' });
  t.deepEqual(h.state.intelligence.get('stress60')?.overrides, { sla: 'singleton' });
  t.is(h.state.intelligence.get('stress60')?.samples, 0);
  const gone = intel(h.feed({ type: 'intelligence-clear', id: 'stress60' }));
  t.deepEqual(gone, [{ type: 'intelligence', id: 'stress60', cause: 'clear', entry: null }]);
  t.is(h.state.intelligence.size, 0);
  t.deepEqual(intel(h.feed({ type: 'intelligence-clear', id: 'stress60' })), [], 'nothing left to clear');
});

test('intelligence › export and import round-trip; import replaces the whole map unless told not to', (t) => {
  const { h, task } = withRunning('charmander');
  for (const mb of [50, 60, 55]) h.feed(usage([task, mb]));
  h.feed({ type: 'intelligence-set', id: 'other', overrides: { nodename: 'host-2' } });
  const exported = exportIntelligence(h.state);
  t.deepEqual(
    exported.map((e) => e.id),
    ['other', 'stress60'],
  );
  const other = new Harness({ sizing: 'charmander' });
  other.feed({ type: 'intelligence-import', entries: JSON.parse(JSON.stringify(exported)) });
  t.deepEqual(exportIntelligence(other.state), exported);
  t.deepEqual(intelligenceView(other.state), intelligenceView(h.state));

  const merge = intel(
    other.feed({
      type: 'intelligence-import',
      replace: false,
      entries: [{ id: 'new', samples: 0, window: { memMb: [], cpus: [] }, overrides: { mem: 9 } }],
    }),
  );
  t.deepEqual(
    merge.map((r) => r.id),
    ['new'],
  );
  t.is(other.state.intelligence.size, 3);
  const whole = intel(
    other.feed({
      type: 'intelligence-import',
      entries: [{ id: 'new', samples: 0, window: { memMb: [], cpus: [] }, overrides: { mem: 9 } }],
    }),
  );
  t.deepEqual(
    whole.map((r) => [r.id, r.entry === null]),
    [
      ['other', true],
      ['stress60', true],
    ],
    'the families not imported are forgotten; the unchanged one gets no record',
  );
  t.deepEqual([...other.state.intelligence.keys()], ['new']);
});

test('intelligence › an invalid import is refused as a whole', (t) => {
  const h = new Harness();
  h.feed({ type: 'intelligence-set', id: 'keep', overrides: { mem: 5 } });
  const cmds = h.feed({
    type: 'intelligence-import',
    entries: [
      { id: 'fine', samples: 0, window: { memMb: [], cpus: [] }, overrides: {} },
      { id: 'bad', samples: -1, window: { memMb: [], cpus: [] }, overrides: {} },
    ],
  });
  const [rejected] = records(cmds, 'intelligence-rejected');
  t.regex(
    rejected?.type === 'intelligence-rejected' ? rejected.message : '',
    /samples must be a whole number/,
  );
  t.deepEqual([...h.state.intelligence.keys()], ['keep']);
});

test('intelligence › the view shows peaks, window stats, every estimate and what is in effect', (t) => {
  const { h, task } = withRunning('p99-window');
  for (let mb = 1; mb <= 100; mb++) h.feed(usage([task, mb, mb / 100]), mb * 1000);
  h.feed({ type: 'intelligence-set', id: 'stress60', overrides: { nodename: 'host-3' } });
  t.deepEqual(intelligenceView(h.state, 'stress60'), {
    id: 'stress60',
    samples: 100,
    lastSampleAt: 100_000,
    peak: { memMb: 100, cpus: 1 },
    window: {
      samples: 100,
      memMb: { p50: 50, p99: 99, max: 100 },
      cpus: { p50: 0.5, p99: 0.99, max: 1 },
    },
    estimates: { charmander: 115, 'p99-window': 114 },
    sizing: 'p99-window',
    inEffect: { mem: 114, nodename: 'host-3', sla: null },
    overrides: { nodename: 'host-3' },
  });
  t.is(intelligenceView(h.state, 'nope'), undefined);
  t.is(intelligenceView(h.state).length, 1);
  const running = h.state.tasks.get(task);
  t.is(running && resubmittedSpec(h.state, running).mem, 114, 'what a resubmission would ask for now');
});

test('intelligence › an unknown sizing mode is refused when the state is made', (t) => {
  t.throws(() => createState(makeConfig({ sizing: 'magic' })), {
    message: 'unknown sizing "magic" (known: off, charmander, p99-window)',
  });
});

test('intelligence › a relaunch keeps the SLA its lineage started with, and the request as submitted', (t) => {
  const h = new Harness({ sizing: 'charmander', relaunchBackoffMs: 0 }).subscribe();
  h.feed({ type: 'intelligence-set', id: 'db', overrides: { sla: 'singleton' } });
  const [first] = h.submit(spec({ id: 'db' }));
  h.feed({ type: 'intelligence-clear', id: 'db' });
  h.feed(offersEvent(offer(0)));
  runningAll(h);
  const [rec] = submitted(h.feed(update(first as string, 'TASK_FAILED', { agent: 0 })));
  t.is(rec?.origin, 'relaunch');
  t.is(rec?.spec.sla, 'singleton', 'still a singleton, though the override is gone');
  t.is(h.state.families.get('db')?.copies.get(''), rec?.task);
  t.is(h.state.tasks.get(rec?.task ?? '')?.requested.sla, undefined);
});
