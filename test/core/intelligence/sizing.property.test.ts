import test from 'ava';
import fc from 'fast-check';
import { WINDOW_SAMPLES } from '../../../src/core/intelligence/estimators.ts';
import { familyFromEntry } from '../../../src/core/intelligence/family.ts';
import { SIZING_MODES, sizedMem } from '../../../src/core/intelligence/sizing.ts';
import type { SchedulerRecord } from '../../../src/core/scheduler/records.ts';
import { Harness, launched, offer, offersEvent, records, spec, update } from '../../helpers/core.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

const ON = SIZING_MODES.filter((m) => m !== 'off');
const memArb = fc.oneof(
  fc.double({ min: 0, max: 8192, noNaN: true }),
  fc.integer({ min: 0, max: 8192 }),
  fc.constantFrom(0.476837158203125, 0.95367431640625, 47.6837158203125, 57.220458984375, 60),
);

test(`sizing property › a sized mem is never below the family's observed peak, for any history and override (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ON),
      fc.array(memArb, { maxLength: WINDOW_SAMPLES }),
      fc.option(memArb, { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
      (sizing, window, extraPeak, override) => {
        const family = familyFromEntry({
          id: 'x',
          samples: window.length,
          ...(extraPeak !== undefined ? { peakMemMb: extraPeak } : {}),
          window: { memMb: window, cpus: window.map(() => 0) },
          overrides: override !== undefined ? { mem: override } : {},
        });
        const mem = sizedMem(family, {}, sizing);
        if (family.peakMemMb === undefined) return true;
        return mem !== undefined && mem >= family.peakMemMb;
      },
    ),
    fcParams(500),
  );
  t.pass();
});

type Action =
  | { kind: 'usage'; mems: number[] }
  | { kind: 'override'; mem: number | null }
  | { kind: 'fail'; pick: number }
  | { kind: 'reshuffle' }
  | { kind: 'submit' }
  | { kind: 'offers' }
  | { kind: 'clear-history' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('usage' as const),
      mems: fc.array(memArb, { minLength: 1, maxLength: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('override' as const),
      mem: fc.option(fc.integer({ min: 1, max: 9000 }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reshuffle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'submit' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'offers' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear-history' as const }) },
);

let sizedAgainstPeak = 0;
let checked = 0;

test(`sizing property › every task created while sizing is on (submit, relaunch, reshuffle) asks for at least the observed peak (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...ON), fc.array(actionArb, { maxLength: 40 }), (sizing, actions) => {
      const h = new Harness({ sizing, relaunchBackoffMs: 0 }).subscribe();
      const family = spec({ id: 'fam', mem: 100, reshuffleable: true });
      let agent = 0;
      const check = (cmds: ReturnType<Harness['feed']>): void => {
        checked += records(cmds, 'task-submitted').length;
        for (const r of records(cmds, 'task-submitted') as Extract<
          SchedulerRecord,
          { type: 'task-submitted' }
        >[]) {
          const peak = h.state.intelligence.get(r.spec.id)?.peakMemMb;
          if (peak !== undefined && r.spec.mem < peak)
            throw new Error(`${r.task} (${r.origin}) sized to ${r.spec.mem} MB below the peak ${peak} MB`);
          if (peak !== undefined) sizedAgainstPeak++;
          if (h.state.tasks.get(r.task)?.need.mem !== r.spec.mem)
            throw new Error(`${r.task}: need differs from spec`);
        }
      };
      const feed = (input: Parameters<Harness['feed']>[0]) => check(h.feed(input));
      feed({ type: 'submit', spec: family, kind: 'service', count: 2 });
      for (const action of [{ kind: 'offers' } as const, ...actions]) {
        const live = [...h.state.tasks.values()].filter((x) => x.phase === 'running');
        switch (action.kind) {
          case 'usage':
            feed({
              type: 'usage',
              samples: action.mems.map((memMb, i) => ({
                task: live[i % Math.max(1, live.length)]?.id ?? 'none',
                memMb,
                cpus: 0.1,
              })),
            });
            break;
          case 'override':
            feed({ type: 'intelligence-set', id: 'fam', overrides: { mem: action.mem } });
            break;
          case 'fail': {
            const victim = live[action.pick % Math.max(1, live.length)];
            if (victim)
              feed(update(victim.id, 'TASK_FAILED', { agent: Number(victim.agentId?.split('-S')[1]) }));
            break;
          }
          case 'reshuffle':
            feed({ type: 'reshuffle' });
            break;
          case 'submit':
            feed({ type: 'submit', spec: family, kind: 'service' });
            break;
          case 'offers':
            feed(offersEvent(offer(agent++ % 4, { mem: 1_000_000, cpus: 100 })));
            break;
          case 'clear-history':
            feed({ type: 'intelligence-clear', id: 'fam', what: 'history' });
            break;
        }
        h.now += 1000;
        for (const l of launched(h.last)) {
          if (h.state.tasks.get(l.task)?.phase === 'launching')
            feed(update(l.task, 'TASK_RUNNING', { agent: Number(l.agent.split('-S')[1]) }));
        }
      }
      return true;
    }),
    fcParams(150),
  );
  t.true(sizedAgainstPeak > 0, 'the workload reached sizing against a peak');
  t.log(`${sizedAgainstPeak} of ${checked} created tasks were sized against a peak`);
});
