import test from 'ava';
import fc from 'fast-check';
import type { Resources, Scalars } from '../../../src/core/model/resources.ts';
import { PlacementIndex, passes } from '../../../src/core/placement/index.ts';
import {
  explain,
  FILTERS,
  PRE_FILTERS,
  pipelineFor,
  preCheck,
  SCORER_NAMES,
  selectAgent,
  selectByScan,
  USAGE_AWARE_FILTERS,
} from '../../../src/core/placement/pipeline.ts';
import type { PlacementAgent, PlacementContext, PlacementTask } from '../../../src/core/placement/plugin.ts';
import { REASON_TEXT, type ReasonCode } from '../../../src/core/placement/reasons.ts';
import type { TaskSpec } from '../../../src/core/spec/task-spec.ts';
import { fcParams, SEED } from '../../helpers/property.ts';

function agent(
  n: number,
  free: Partial<Resources> = {},
  over: Partial<Omit<PlacementAgent, 'free'>> = {},
  capacity: Scalars = { cpus: 8, mem: 8192, disk: 1000 },
): PlacementAgent {
  return {
    id: `m-S${n}`,
    hostname: `node-${n}`,
    attributes: { nodetype: 'lab', nodename: `node-${n}` },
    free: { cpus: 4, mem: 4096, disk: 500, ports: [{ begin: 31000, end: 31010 }], ...free },
    capacity,
    held: false,
    offerCount: 1,
    ...over,
  };
}

function task(spec: Partial<TaskSpec> = {}, over: Partial<PlacementTask> = {}): PlacementTask {
  const full: TaskSpec = { id: 'web', dockerimage: 'nginx', mem: 128, cpus: 0.5, ...spec };
  return {
    id: `${full.id}-0001`,
    spec: full,
    need: { cpus: full.cpus, mem: full.mem, disk: full.disk ?? 0, ports: [] },
    notBefore: 0,
    ...over,
  };
}

function context(over: Partial<PlacementContext> = {}): PlacementContext {
  return {
    now: 1000,
    paused: false,
    subscribed: true,
    liveCopiesOnAgent: () => 0,
    liveSingletonCopy: () => undefined,
    ...over,
  };
}

// pipelineFor

test('pipelineFor › throws on an unknown policy, naming the known ones', (t) => {
  const error = t.throws(() => pipelineFor('nope'));
  t.is(error?.message, 'unknown placement policy "nope" (known: first-fit, bin-pack, spread, usage-aware)');
  for (const name of SCORER_NAMES) t.true(error?.message.includes(name), name);
});

test('pipelineFor › builds the standard pre-filters and filters around the named scorer', (t) => {
  for (const name of ['first-fit', 'bin-pack', 'spread']) {
    const p = pipelineFor(name);
    t.is(p.scorer.name, name);
    t.is(p.preFilters, PRE_FILTERS);
    t.is(p.filters, FILTERS);
  }
  const usage = pipelineFor('usage-aware');
  t.is(usage.scorer.name, 'usage-aware');
  t.is(usage.preFilters, PRE_FILTERS);
  t.is(usage.filters, USAGE_AWARE_FILTERS);
});

// preCheck, selectByScan, selectAgent

test('preCheck › runs scheduler state, then backoff, then singleton', (t) => {
  const p = pipelineFor('first-fit');
  const singleton = task({ sla: 'singleton' }, { notBefore: 5000 });
  const live = { liveSingletonCopy: () => ({ taskId: 'web-0000', agentId: 'm-S1' }) };
  t.is(preCheck(context({ ...live, subscribed: false }), singleton, p)?.code, 'NotSubscribed');
  t.is(preCheck(context({ ...live, paused: true }), singleton, p)?.code, 'SchedulerPaused');
  t.is(preCheck(context(live), singleton, p)?.code, 'BackingOff');
  t.is(preCheck(context({ ...live, now: 5000 }), singleton, p)?.code, 'SingletonAlreadyLive');
  t.is(preCheck(context({ now: 5000 }), singleton, p), undefined);
});

test('selectByScan › keeps the best score and gives ties to the earlier agent', (t) => {
  const agents = [
    agent(1, { cpus: 2, mem: 2048 }),
    agent(2, { cpus: 6, mem: 6144 }),
    agent(3, { cpus: 2, mem: 2048 }),
  ];
  t.is(selectByScan(context(), task(), agents, pipelineFor('spread'))?.id, 'm-S2');
  t.is(selectByScan(context(), task(), agents, pipelineFor('bin-pack'))?.id, 'm-S1');
  t.is(selectByScan(context(), task(), [...agents].reverse(), pipelineFor('bin-pack'))?.id, 'm-S3');
  t.is(selectByScan(context(), task(), agents, pipelineFor('first-fit'))?.id, 'm-S1');
  t.is(selectByScan(context(), task({ cpus: 7 }), agents, pipelineFor('first-fit')), undefined);
});

test('selectByScan and selectAgent › place nothing while a pre-filter rejects the task', (t) => {
  const agents = [agent(1)];
  const index = new PlacementIndex();
  index.add(agents[0] as PlacementAgent);
  const p = pipelineFor('bin-pack');
  t.is(selectAgent(context(), task(), index, p)?.id, 'm-S1');
  t.is(selectByScan(context({ paused: true }), task(), agents, p), undefined);
  t.is(selectAgent(context({ paused: true }), task(), index, p), undefined);
  t.is(selectAgent(context(), task({}, { notBefore: 2000 }), index, p), undefined);
});

// explain

test('explain › tallies the reasons per code, most frequent first, with up to five hostnames', (t) => {
  const agents = [
    ...[1, 2, 3, 4, 5, 6, 7].map((n) => agent(n, { mem: 64 })), // 7 × InsufficientMem
    agent(8, {}, { held: true }), // AgentHeld
    agent(9, {}, { offerCount: 0 }), // NoOfferHeld
    agent(10, {}, { offerCount: 0 }), // NoOfferHeld
  ];
  const e = explain(context(), task(), agents, pipelineFor('first-fit'));
  t.is(e.task, 'web-0001');
  t.is(e.agentsConsidered, 10);
  t.is(e.candidate, undefined);
  t.is(e.rejection, undefined);
  t.deepEqual(e.reasons, [
    { code: 'InsufficientMem', count: 7, agents: ['node-1', 'node-2', 'node-3', 'node-4', 'node-5'] },
    { code: 'NoOfferHeld', count: 2, agents: ['node-9', 'node-10'] },
    { code: 'AgentHeld', count: 1, agents: ['node-8'] },
  ]);
  t.is(
    e.text,
    'InsufficientMem on 7 agents (node-1, node-2, node-3, node-4, node-5, …); ' +
      'NoOfferHeld on 2 agents (node-9, node-10); AgentHeld on 1 agent (node-8)',
  );
});

test('explain › orders reasons with equal counts by code', (t) => {
  const agents = [agent(1, {}, { offerCount: 0 }), agent(2, { cpus: 0 }), agent(3, {}, { attributes: {} })];
  const e = explain(context(), task({ nodetype: 'lab' }), agents, pipelineFor('spread'));
  t.deepEqual(
    e.reasons.map((r) => r.code),
    ['InsufficientCpus', 'NoOfferHeld', 'NodetypeMismatch'],
  );
});

for (const [name, ctx, tk, code, detail] of [
  [
    'SchedulerPaused',
    context({ paused: true }),
    task(),
    'SchedulerPaused',
    'the scheduler is paused; running tasks continue',
  ],
  [
    'BackingOff',
    context({ now: 1000 }),
    task({}, { notBefore: 1500 }),
    'BackingOff',
    'relaunch backoff until t=1500 ms (500 ms left)',
  ],
  [
    'SingletonAlreadyLive',
    context({ liveSingletonCopy: () => ({ taskId: 'db-0007', agentId: 'm-S4' }) }),
    task({ id: 'db', sla: 'singleton' }),
    'SingletonAlreadyLive',
    'db-0007 is still live on agent m-S4',
  ],
] as const) {
  test(`explain › reports a ${name} pre-filter rejection with its detail and looks at no agent`, (t) => {
    const e = explain(ctx, tk, [agent(1), agent(2)], pipelineFor('bin-pack'));
    t.deepEqual(e.rejection, { code, detail });
    t.is(e.agentsConsidered, 0);
    t.deepEqual(e.reasons, []);
    t.is(e.candidate, undefined);
    t.is(e.text, `${code}: ${detail}`);
  });
}

test('explain › names the candidate agent when the task fits, with the reasons elsewhere', (t) => {
  const agents = [
    agent(1, { cpus: 0.1 }),
    agent(2, { cpus: 1, mem: 1024 }),
    agent(3, { cpus: 4, mem: 4096 }),
  ];
  const bin = explain(context(), task(), agents, pipelineFor('bin-pack'));
  t.is(bin.candidate, 'node-2');
  t.is(bin.agentsConsidered, 3);
  t.deepEqual(bin.reasons, [{ code: 'InsufficientCpus', count: 1, agents: ['node-1'] }]);
  t.is(bin.text, 'fits on node-2 now; elsewhere: InsufficientCpus on 1 agent (node-1)');
  const spread = explain(context(), task(), agents, pipelineFor('spread'));
  t.is(spread.candidate, 'node-3');
  const all = explain(context(), task(), agents.slice(1), pipelineFor('first-fit'));
  t.is(all.candidate, 'node-2');
  t.deepEqual(all.reasons, []);
  t.is(all.text, 'fits on node-2 now');
});

test('explain › limits a pinned one-per-node copy to its own agent', (t) => {
  const agents = [agent(1), agent(2, { mem: 64 }), agent(3)];
  const pinned = task({ id: 'cadvisor', sla: 'one-per-node' }, { pinnedAgentId: 'm-S2' });
  const e = explain(context(), pinned, agents, pipelineFor('first-fit'));
  t.is(e.agentsConsidered, 1);
  t.is(e.candidate, undefined);
  t.deepEqual(e.reasons, [{ code: 'InsufficientMem', count: 1, agents: ['node-2'] }]);
  const fits = explain(context(), { ...pinned, pinnedAgentId: 'm-S3' }, agents, pipelineFor('bin-pack'));
  t.is(fits.agentsConsidered, 1);
  t.is(fits.candidate, 'node-3');
  t.deepEqual(fits.reasons, []);
});

test('explain › a pinned copy whose agent is unknown is rejected everywhere as pinned elsewhere', (t) => {
  const agents = [agent(1), agent(2)];
  const pinned = task({ id: 'cadvisor', sla: 'one-per-node' }, { pinnedAgentId: 'm-S9' });
  const e = explain(context(), pinned, agents, pipelineFor('first-fit'));
  t.is(e.agentsConsidered, 2);
  t.is(e.candidate, undefined);
  t.deepEqual(e.reasons, [{ code: 'PinnedToOtherAgent', count: 2, agents: ['node-1', 'node-2'] }]);
});

test('explain › answers NoAgentsKnown when there is no agent at all', (t) => {
  const e = explain(context(), task(), [], pipelineFor('first-fit'));
  t.is(e.agentsConsidered, 0);
  t.deepEqual(e.reasons, [{ code: 'NoAgentsKnown', count: 0, agents: [] }]);
  t.is(e.text, `NoAgentsKnown: ${REASON_TEXT.NoAgentsKnown}`);
});

test('explain › names ObservedUsageTooHigh for agents whose observed use leaves no headroom', (t) => {
  const agents = [
    agent(1, {}, { observedMem: 7300 }),
    agent(2, {}, { observedMem: 7000 }),
    agent(3, { mem: 64 }, { observedMem: 100 }),
    agent(4, {}, { observedMem: 2000 }),
  ];
  const e = explain(context(), task({ mem: 512 }), agents, pipelineFor('usage-aware'));
  t.is(e.candidate, 'node-4');
  t.deepEqual(e.reasons, [
    { code: 'ObservedUsageTooHigh', count: 2, agents: ['node-1', 'node-2'] },
    { code: 'InsufficientMem', count: 1, agents: ['node-3'] },
  ]);
  t.is(
    explain(context(), task({ mem: 512 }), agents, pipelineFor('bin-pack')).candidate,
    'node-1',
    'bin-pack only sees the allocation',
  );
});

test('reasons › every reason code has a line of plain text', (t) => {
  const codes = Object.keys(REASON_TEXT) as ReasonCode[];
  t.is(codes.length, 16);
  for (const code of codes) t.regex(REASON_TEXT[code], /^[a-z]/, code);
});

// explain is consistent with the filters and the scan

const agentArb: fc.Arbitrary<PlacementAgent> = fc
  .record({
    cpus: fc.constantFrom(0, 0.5, 1, 4),
    mem: fc.constantFrom(0, 64, 512, 4096),
    held: fc.boolean(),
    offerCount: fc.constantFrom(0, 1, 1),
    nodetype: fc.constantFrom('lab', 'gpu'),
    observedMem: fc.constantFrom(undefined, 0, 4000, 7300, 8000),
  })
  .map((g) =>
    agent(
      0,
      { cpus: g.cpus, mem: g.mem },
      {
        held: g.held,
        offerCount: g.offerCount,
        attributes: { nodetype: g.nodetype },
        ...(g.observedMem !== undefined ? { observedMem: g.observedMem } : {}),
      },
    ),
  );

test(`explain › counts every rejected agent once and names the scan's choice (seed=${SEED})`, (t) => {
  fc.assert(
    fc.property(
      fc.array(agentArb, { minLength: 1, maxLength: 15 }),
      fc.constantFrom('first-fit', 'bin-pack', 'spread', 'usage-aware'),
      fc.constantFrom(undefined, 'lab', 'gpu'),
      (raw, policy, nodetype) => {
        const agents = raw.map((a, i) => ({ ...a, id: `m-S${i}`, hostname: `node-${i}` }));
        const p = pipelineFor(policy);
        const tk = task(nodetype === undefined ? {} : { nodetype });
        const e = explain(context(), tk, agents, p);
        const passing = agents.filter((a) => passes(context(), tk, a, p.filters)).length;
        const rejected = e.reasons.reduce((sum, r) => sum + r.count, 0);
        const choice = selectByScan(context(), tk, agents, p);
        return (
          e.agentsConsidered === agents.length &&
          rejected + passing === agents.length &&
          e.reasons.every((r) => r.agents.length === Math.min(5, r.count)) &&
          e.candidate === choice?.hostname
        );
      },
    ),
    fcParams(300),
  );
  t.pass();
});
