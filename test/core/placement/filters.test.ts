import test from 'ava';
import type { Range } from '../../../src/core/mesos/v1.ts';
import { emptyResources, type Resources } from '../../../src/core/model/resources.ts';
import { backoff } from '../../../src/core/placement/filters/backoff.ts';
import { hasOffer } from '../../../src/core/placement/filters/has-offer.ts';
import { heldAgent } from '../../../src/core/placement/filters/held-agent.ts';
import { nodename } from '../../../src/core/placement/filters/nodename.ts';
import { nodetype } from '../../../src/core/placement/filters/nodetype.ts';
import { onePerNode } from '../../../src/core/placement/filters/one-per-node.ts';
import { ports } from '../../../src/core/placement/filters/ports.ts';
import { resources } from '../../../src/core/placement/filters/resources.ts';
import { schedulerState } from '../../../src/core/placement/filters/scheduler-state.ts';
import { singleton } from '../../../src/core/placement/filters/singleton.ts';
import { DEFAULT_USAGE_MARGIN, usageHeadroom } from '../../../src/core/placement/filters/usage-headroom.ts';
import {
  agentVerdict,
  FILTERS,
  PRE_FILTERS,
  pipelineFor,
  USAGE_AWARE_FILTERS,
} from '../../../src/core/placement/pipeline.ts';
import type {
  PlacementAgent,
  PlacementContext,
  PlacementTask,
  PreFilterPlugin,
} from '../../../src/core/placement/plugin.ts';
import type { TaskSpec } from '../../../src/core/spec/task-spec.ts';

const AGENT_ID = 'm-S1';

function agent(over: Partial<PlacementAgent> = {}): PlacementAgent {
  return {
    id: AGENT_ID,
    hostname: 'node-1',
    attributes: { nodetype: 'lab', nodename: 'node-1' },
    free: { cpus: 4, mem: 4096, disk: 1000, ports: [{ begin: 31000, end: 31010 }] },
    capacity: { cpus: 8, mem: 8192, disk: 2000 },
    held: false,
    offerCount: 1,
    ...over,
  };
}

function task(spec: Partial<TaskSpec> = {}, over: Partial<PlacementTask> = {}): PlacementTask {
  const full: TaskSpec = { id: 'web', dockerimage: 'nginx', mem: 128, cpus: 0.5, ...spec };
  const need: Resources = { ...emptyResources(), cpus: full.cpus, mem: full.mem, disk: full.disk ?? 0 };
  return { id: `${full.id}-0001`, spec: full, need, notBefore: 0, ...over };
}

function withPorts(t: PlacementTask, list: Range[]): PlacementTask {
  return { ...t, need: { ...t.need, ports: list } };
}

function ctx(over: Partial<PlacementContext> = {}): PlacementContext {
  return {
    now: 1000,
    paused: false,
    subscribed: true,
    liveCopiesOnAgent: () => 0,
    liveSingletonCopy: () => undefined,
    ...over,
  };
}

// HeldAgent

test('HeldAgent › lets an agent that is not held through', (t) => {
  t.is(heldAgent.name, 'HeldAgent');
  t.is(heldAgent.filter(ctx(), task(), agent()), undefined);
});

test('HeldAgent › rejects a held agent with AgentHeld', (t) => {
  t.is(heldAgent.filter(ctx(), task(), agent({ held: true })), 'AgentHeld');
});

// Nodetype

test('Nodetype › lets any agent through when the task names no nodetype', (t) => {
  t.is(nodetype.filter(ctx(), task(), agent({ attributes: {} })), undefined);
  t.is(nodetype.filter(ctx(), task(), agent()), undefined);
});

test('Nodetype › accepts an agent whose nodetype attribute is equal', (t) => {
  t.is(nodetype.filter(ctx(), task({ nodetype: 'lab' }), agent()), undefined);
});

test('Nodetype › rejects a different or missing nodetype with NodetypeMismatch', (t) => {
  t.is(nodetype.filter(ctx(), task({ nodetype: 'gpu' }), agent()), 'NodetypeMismatch');
  t.is(nodetype.filter(ctx(), task({ nodetype: 'lab' }), agent({ attributes: {} })), 'NodetypeMismatch');
  t.is(nodetype.filter(ctx(), task({ nodetype: 'Lab' }), agent()), 'NodetypeMismatch', 'case matters');
});

test('Nodetype › looks at the nodetype attribute only, not the nodename', (t) => {
  t.is(
    nodetype.filter(ctx(), task({ nodetype: 'node-1' }), agent({ attributes: { nodename: 'node-1' } })),
    'NodetypeMismatch',
  );
});

// Nodename

test('Nodename › lets any agent through when the task names no nodename', (t) => {
  t.is(nodename.filter(ctx(), task(), agent({ attributes: {} })), undefined);
});

test('Nodename › accepts the agent with that nodename attribute', (t) => {
  t.is(nodename.filter(ctx(), task({ nodename: 'node-1' }), agent()), undefined);
});

test('Nodename › rejects another or a missing nodename with NodenameMismatch', (t) => {
  t.is(nodename.filter(ctx(), task({ nodename: 'node-2' }), agent()), 'NodenameMismatch');
  t.is(nodename.filter(ctx(), task({ nodename: 'node-1' }), agent({ attributes: {} })), 'NodenameMismatch');
  t.is(
    nodename.filter(ctx(), task({ nodename: 'node-1' }), agent({ hostname: 'node-1', attributes: {} })),
    'NodenameMismatch',
    'the hostname is not the nodename attribute',
  );
});

// OnePerNode

test('OnePerNode › ignores tasks without the one-per-node sla', (t) => {
  const c = ctx({ liveCopiesOnAgent: () => 3 });
  t.is(onePerNode.filter(c, task(), agent()), undefined);
  t.is(onePerNode.filter(c, task({ sla: 'singleton' }), agent()), undefined);
});

test('OnePerNode › accepts the own agent of a pinned copy with no live copy there', (t) => {
  t.is(
    onePerNode.filter(ctx(), task({ sla: 'one-per-node' }, { pinnedAgentId: AGENT_ID }), agent()),
    undefined,
  );
});

test('OnePerNode › rejects another agent with PinnedToOtherAgent', (t) => {
  t.is(
    onePerNode.filter(ctx(), task({ sla: 'one-per-node' }, { pinnedAgentId: 'm-S2' }), agent()),
    'PinnedToOtherAgent',
  );
});

test('OnePerNode › rejects an agent that already runs a copy with CopyAlreadyOnAgent', (t) => {
  const seen: [string, string][] = [];
  const c = ctx({
    liveCopiesOnAgent: (specId, agentId) => {
      seen.push([specId, agentId]);
      return specId === 'cadvisor' && agentId === AGENT_ID ? 1 : 0;
    },
  });
  t.is(onePerNode.filter(c, task({ id: 'cadvisor', sla: 'one-per-node' }), agent()), 'CopyAlreadyOnAgent');
  t.deepEqual(seen, [['cadvisor', AGENT_ID]], 'asks by spec id and agent id');
  t.is(onePerNode.filter(c, task({ id: 'cadvisor', sla: 'one-per-node' }), agent({ id: 'm-S2' })), undefined);
  t.is(
    onePerNode.filter(c, task({ id: 'cadvisor', sla: 'one-per-node' }, { pinnedAgentId: AGENT_ID }), agent()),
    'CopyAlreadyOnAgent',
  );
});

test('OnePerNode › reports PinnedToOtherAgent before looking at live copies', (t) => {
  const c = ctx({ liveCopiesOnAgent: () => 1 });
  t.is(
    onePerNode.filter(c, task({ sla: 'one-per-node' }, { pinnedAgentId: 'm-S9' }), agent()),
    'PinnedToOtherAgent',
  );
});

// HasOffer

test('HasOffer › accepts an agent with an outstanding offer', (t) => {
  t.is(hasOffer.filter(ctx(), task(), agent({ offerCount: 1 })), undefined);
  t.is(hasOffer.filter(ctx(), task(), agent({ offerCount: 3 })), undefined);
});

test('HasOffer › rejects an agent without an offer with NoOfferHeld', (t) => {
  t.is(hasOffer.filter(ctx(), task(), agent({ offerCount: 0 })), 'NoOfferHeld');
});

// Resources

test('Resources › accepts a task that fits exactly', (t) => {
  t.is(resources.filter(ctx(), task({ cpus: 4, mem: 4096, disk: 1000 }), agent()), undefined);
});

test('Resources › rejects too many cpus with InsufficientCpus', (t) => {
  t.is(resources.filter(ctx(), task({ cpus: 4.001 }), agent()), 'InsufficientCpus');
});

test('Resources › rejects too much memory with InsufficientMem', (t) => {
  t.is(resources.filter(ctx(), task({ mem: 4097 }), agent()), 'InsufficientMem');
});

test('Resources › rejects too much disk with InsufficientDisk', (t) => {
  t.is(resources.filter(ctx(), task({ disk: 1001 }), agent()), 'InsufficientDisk');
});

test('Resources › reports cpus first, then memory, then disk', (t) => {
  t.is(resources.filter(ctx(), task({ cpus: 5, mem: 5000, disk: 5000 }), agent()), 'InsufficientCpus');
  t.is(resources.filter(ctx(), task({ mem: 5000, disk: 5000 }), agent()), 'InsufficientMem');
});

test('Resources › ignores ports', (t) => {
  t.is(resources.filter(ctx(), withPorts(task(), [{ begin: 80, end: 80 }]), agent()), undefined);
});

// Ports

test('Ports › lets a task without host ports through, even on an agent without ports', (t) => {
  t.is(ports.filter(ctx(), task(), agent({ free: { cpus: 1, mem: 1, disk: 1, ports: [] } })), undefined);
});

test('Ports › accepts host ports inside the offered ranges', (t) => {
  const need = [
    { begin: 31000, end: 31000 },
    { begin: 31010, end: 31010 },
  ];
  t.is(ports.filter(ctx(), withPorts(task(), need), agent()), undefined);
});

test('Ports › rejects a host port the agent does not offer with PortsUnavailable', (t) => {
  t.is(ports.filter(ctx(), withPorts(task(), [{ begin: 31011, end: 31011 }]), agent()), 'PortsUnavailable');
  t.is(
    ports.filter(
      ctx(),
      withPorts(task(), [
        { begin: 31000, end: 31000 },
        { begin: 8080, end: 8080 },
      ]),
      agent(),
    ),
    'PortsUnavailable',
    'one missing port is enough',
  );
});

test('Ports › rejects a port already taken out of the free ranges', (t) => {
  const a = agent({
    free: {
      cpus: 4,
      mem: 4096,
      disk: 1000,
      ports: [
        { begin: 31000, end: 31004 },
        { begin: 31006, end: 31010 },
      ],
    },
  });
  t.is(ports.filter(ctx(), withPorts(task(), [{ begin: 31005, end: 31005 }]), a), 'PortsUnavailable');
});

// UsageHeadroom

/** An agent of 8192 MB whose live tasks are observed to use `observedMem`. */
function used(observedMem: number, over: Partial<PlacementAgent> = {}): PlacementAgent {
  return agent({ observedMem, ...over });
}

/** A context whose task intelligence knows these family peaks. */
function peaks(known: Record<string, number>): PlacementContext {
  return ctx({ observedPeakMem: (specId) => known[specId] });
}

test('UsageHeadroom › keeps 10% of memory free of observed use by default', (t) => {
  const f = usageHeadroom();
  t.is(f.name, 'UsageHeadroom');
  t.is(f.margin, 0.1);
  t.is(DEFAULT_USAGE_MARGIN, 0.1);
  // 8192 × 0.9 = 7372.8 MB may be observed in use after placement.
  t.is(f.filter(ctx(), task({ mem: 372.8 }), used(7000)), undefined, 'exactly at the limit fits');
  t.is(f.filter(ctx(), task({ mem: 372.9 }), used(7000)), 'ObservedUsageTooHigh');
});

test('UsageHeadroom › counts the task at its family observed peak, not at its request', (t) => {
  const f = usageHeadroom();
  const big = peaks({ web: 2000 });
  const small = peaks({ web: 100 });
  // Asks for 128 MB, which Resources would allow; really peaks at 2000 MB.
  t.is(f.filter(big, task({ mem: 128 }), used(6000)), 'ObservedUsageTooHigh');
  t.is(f.filter(big, task({ mem: 128 }), used(5000)), undefined);
  // Asks for 4000 MB, really peaks at 100 MB.
  t.is(f.filter(small, task({ mem: 4000 }), used(7000)), undefined);
  t.is(f.filter(peaks({ other: 5000 }), task({ mem: 128 }), used(7000)), undefined, 'another family');
});

test('UsageHeadroom › counts a task of a family without samples at its requested mem', (t) => {
  const f = usageHeadroom();
  t.is(f.filter(peaks({}), task({ mem: 400 }), used(7000)), 'ObservedUsageTooHigh');
  t.is(f.filter(ctx(), task({ mem: 300 }), used(7000)), undefined, 'a context without intelligence');
});

test('UsageHeadroom › rejects an agent whose observed use alone is already past the margin', (t) => {
  const f = usageHeadroom();
  t.is(f.filter(peaks({ web: 0 }), task(), used(7400)), 'ObservedUsageTooHigh');
  t.is(f.filter(peaks({ web: 0 }), task(), used(7372.8)), undefined);
});

test('UsageHeadroom › looks at observed use, not at what is free by allocation', (t) => {
  const f = usageHeadroom();
  const allocatedFull = { cpus: 0, mem: 100, disk: 0, ports: [] };
  t.is(f.filter(ctx(), task({ mem: 128 }), used(1000, { free: allocatedFull })), undefined);
});

test('UsageHeadroom › without observedMem counts what is allocated on the agent', (t) => {
  const f = usageHeadroom();
  const view = agent({ free: { cpus: 4, mem: 1000, disk: 0, ports: [] } }); // 7192 MB allocated
  t.is(view.observedMem, undefined);
  t.is(f.filter(ctx(), task({ mem: 180 }), view), undefined);
  t.is(f.filter(ctx(), task({ mem: 181 }), view), 'ObservedUsageTooHigh');
});

test('UsageHeadroom › takes the margin it is built with', (t) => {
  t.is(usageHeadroom(0).filter(ctx(), task({ mem: 192 }), used(8000)), undefined, 'no margin: all of it');
  t.is(usageHeadroom(0).filter(ctx(), task({ mem: 193 }), used(8000)), 'ObservedUsageTooHigh');
  t.is(usageHeadroom(0.5).filter(ctx(), task({ mem: 96 }), used(4000)), undefined);
  t.is(usageHeadroom(0.5).filter(ctx(), task({ mem: 97 }), used(4000)), 'ObservedUsageTooHigh');
});

test('UsageHeadroom › refuses a margin outside [0, 1)', (t) => {
  for (const bad of [-0.1, 1, 2, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(
      () => usageHeadroom(bad),
      { message: /usage margin must be at least 0 and below 1/ },
      String(bad),
    );
  }
});

test('UsageHeadroom › excludes a subtree only when even its emptiest agent with the cpus has no headroom', (t) => {
  const f = usageHeadroom();
  // `minWithCpus` is over the agents with the cpus free for the task; `min` over all of them.
  const bounds = (minWithCpus: number, min = minWithCpus) => ({
    maxFreeFraction: 1,
    minFreeFraction: 0,
    minCapacityCpus: 8,
    minCapacityMem: 8192,
    maxCapacityCpus: 8,
    maxCapacityMem: 8192,
    maxObservedFraction: 1,
    minObservedFraction: min,
    maxObservedFractionWithCpus: 1,
    minObservedFractionWithCpus: minWithCpus,
  });
  t.false(f.excludes(ctx(), task({ mem: 372.8 }), bounds(7000 / 8192)), 'exactly at the limit');
  t.true(f.excludes(ctx(), task({ mem: 400 }), bounds(7000 / 8192)));
  t.false(f.excludes(ctx(), task({ mem: 400 }), bounds(6000 / 8192)));
  t.true(
    f.excludes(ctx(), task({ mem: 400 }), bounds(7000 / 8192, 0)),
    'headroom only on agents without the cpus does not count',
  );
});

// Singleton

test('Singleton › ignores tasks without the singleton sla', (t) => {
  const c = ctx({ liveSingletonCopy: () => ({ taskId: 'x-1', agentId: 'm-S3' }) });
  t.is(singleton.preFilter(c, task()), undefined);
  t.is(singleton.preFilter(c, task({ sla: 'one-per-node' })), undefined);
});

test('Singleton › lets a singleton through when no other copy is live', (t) => {
  const asked: [string, string][] = [];
  const c = ctx({
    liveSingletonCopy: (specId, taskId) => {
      asked.push([specId, taskId]);
      return undefined;
    },
  });
  t.is(singleton.preFilter(c, task({ id: 'db', sla: 'singleton' })), undefined);
  t.deepEqual(asked, [['db', 'db-0001']]);
});

test('Singleton › rejects while another copy is live with SingletonAlreadyLive naming it', (t) => {
  const c = ctx({ liveSingletonCopy: () => ({ taskId: 'db-0000', agentId: 'm-S3' }) });
  const r = singleton.preFilter(c, task({ id: 'db', sla: 'singleton' }));
  t.is(r?.code, 'SingletonAlreadyLive');
  t.is(r?.detail, 'db-0000 is still live on agent m-S3');
});

// SchedulerState

/** Seen through the plugin interface (the plugin itself ignores the task). */
const schedulerStateFilter: PreFilterPlugin = schedulerState;

test('SchedulerState › lets tasks through when subscribed and running', (t) => {
  t.is(schedulerStateFilter.preFilter(ctx(), task()), undefined);
});

test('SchedulerState › rejects while paused with SchedulerPaused', (t) => {
  const r = schedulerStateFilter.preFilter(ctx({ paused: true }), task());
  t.is(r?.code, 'SchedulerPaused');
  t.regex(r?.detail ?? '', /paused/);
});

test('SchedulerState › rejects while not subscribed with NotSubscribed, before pause', (t) => {
  const r = schedulerStateFilter.preFilter(ctx({ subscribed: false, paused: true }), task());
  t.is(r?.code, 'NotSubscribed');
  t.regex(r?.detail ?? '', /subscription/);
});

// Backoff

test('Backoff › lets a task through once its backoff has expired', (t) => {
  t.is(backoff.preFilter(ctx({ now: 1000 }), task({}, { notBefore: 1000 })), undefined);
  t.is(backoff.preFilter(ctx({ now: 1000 }), task({}, { notBefore: 0 })), undefined);
});

test('Backoff › rejects before notBefore with BackingOff and the time left', (t) => {
  const r = backoff.preFilter(ctx({ now: 1000 }), task({}, { notBefore: 4000 }));
  t.is(r?.code, 'BackingOff');
  t.is(r?.detail, 'relaunch backoff until t=4000 ms (3000 ms left)');
  t.is(backoff.preFilter(ctx({ now: 3999 }), task({}, { notBefore: 4000 }))?.code, 'BackingOff');
});

// The standard chains

test('filter chain › runs held, nodetype, nodename, one-per-node, has-offer, resources, ports in order', (t) => {
  t.deepEqual(
    FILTERS.map((f) => f.name),
    ['HeldAgent', 'Nodetype', 'Nodename', 'OnePerNode', 'HasOffer', 'Resources', 'Ports'],
  );
  t.deepEqual(
    PRE_FILTERS.map((f) => f.name),
    ['SchedulerState', 'Backoff', 'Singleton'],
  );
  // Everything wrong at once: the most fundamental reason wins.
  const bad = agent({ held: true, offerCount: 0, attributes: {} });
  const tk = task({ nodetype: 'gpu', cpus: 99 });
  t.is(agentVerdict(ctx(), tk, bad, FILTERS), 'AgentHeld');
  t.is(agentVerdict(ctx(), tk, agent({ offerCount: 0, attributes: {} }), FILTERS), 'NodetypeMismatch');
  t.is(agentVerdict(ctx(), task({ cpus: 99 }), agent({ offerCount: 0 }), FILTERS), 'NoOfferHeld');
  t.is(agentVerdict(ctx(), task(), agent(), FILTERS), undefined);
});

test('filter chain › usage-aware adds UsageHeadroom last, and only usage-aware', (t) => {
  t.deepEqual(
    USAGE_AWARE_FILTERS.map((f) => f.name),
    [...FILTERS.map((f) => f.name), 'UsageHeadroom'],
  );
  t.is(pipelineFor('usage-aware').filters, USAGE_AWARE_FILTERS);
  for (const name of ['first-fit', 'bin-pack', 'spread']) t.is(pipelineFor(name).filters, FILTERS, name);
  // Mesos allocation comes first: an agent without the requested memory is InsufficientMem.
  const tk = task({ mem: 5000 });
  t.is(agentVerdict(ctx(), tk, agent({ observedMem: 8000 }), USAGE_AWARE_FILTERS), 'InsufficientMem');
  t.is(
    agentVerdict(ctx(), task(), agent({ observedMem: 8000 }), USAGE_AWARE_FILTERS),
    'ObservedUsageTooHigh',
  );
  t.is(agentVerdict(ctx(), task(), agent({ observedMem: 1000 }), USAGE_AWARE_FILTERS), undefined);
});

test('filter chain › pipelineFor builds UsageHeadroom with the usageMargin asked for', (t) => {
  const p = pipelineFor('usage-aware', { usageMargin: 0.5 });
  const last = p.filters[p.filters.length - 1] as ReturnType<typeof usageHeadroom>;
  t.is(last.name, 'UsageHeadroom');
  t.is(last.margin, 0.5);
  t.is(agentVerdict(ctx(), task(), agent({ observedMem: 4000 }), p.filters), 'ObservedUsageTooHigh');
  t.throws(() => pipelineFor('usage-aware', { usageMargin: 1 }), { message: /usage margin/ });
  t.is(pipelineFor('bin-pack', { usageMargin: 0.5 }).filters, FILTERS, 'ignored by the other scorers');
});
