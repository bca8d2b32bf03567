import fc from 'fast-check';
import type { JobSpec } from '../../src/core/spec/job-spec.ts';
import type { TaskSpec } from '../../src/core/spec/task-spec.ts';
import type {
  Action,
  AgentGroup,
  Behaviour,
  Fault,
  Scenario,
  ScenarioPool,
  Timed,
} from '../../src/scenario/types.ts';

// Scenarios for elastic pools and ETL jobs: a few static agents, one or two pools, plain batch
// submits and jobs whose copies run for a while (some over their memory, so they fail and are
// retried), pool actions (launch, freeze, restore, drain) and auto mode switched at random times,
// and sometimes a master failover. No agent-loss faults: nothing but the pools removes pool agents.

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Nodetypes pools and the static group carry; tasks ask for one of them or none. */
export const POOL_NODETYPES = ['batch', 'etl'] as const;
const STATIC_NODETYPES = ['core', 'batch'] as const;
const TASK_NODETYPES = [undefined, undefined, 'core', 'batch', 'etl'] as const;

/** The static agents' group name (agents `st-1` … `st-3`). */
export const STATIC_GROUP = 'st';
/** Pool names, in order: `pa`, then `pb`. */
export const POOL_NAMES = ['pa', 'pb'] as const;

interface PoolShape {
  readonly min: number;
  readonly max: number;
  readonly cpus: number;
  readonly mem: number;
  readonly nodetype: string;
  readonly bootDelayMs: number;
  readonly readyDelayMs: number;
  readonly maxIdleTimeMs: number;
}

/** A pool: min 0–2, max min…6, boot and ready delays 0–90 s, max_idle_time 30 s–10 min. */
const poolShapeArb = (opts: { minMax: number }): fc.Arbitrary<PoolShape> =>
  fc
    .record({
      min: fc.integer({ min: 0, max: 2 }),
      extra: fc.integer({ min: 0, max: 6 }),
      cpus: fc.integer({ min: 2, max: 8 }),
      mem: fc.integer({ min: 2, max: 16 }).map((g) => g * 1024),
      nodetype: fc.constantFrom(...POOL_NODETYPES),
      bootDelayMs: fc.integer({ min: 0, max: 90 }).map((s) => s * SECOND),
      readyDelayMs: fc.integer({ min: 0, max: 90 }).map((s) => s * SECOND),
      maxIdleTimeMs: fc.integer({ min: 30, max: 600 }).map((s) => s * SECOND),
    })
    .map(({ extra, ...p }) => {
      const lo = Math.max(p.min, opts.minMax);
      return { ...p, max: Math.min(6, lo + (extra % (7 - lo))) };
    });

function toPool(name: string, p: PoolShape): ScenarioPool {
  return {
    name,
    min: p.min,
    max: p.max,
    template: {
      cpus: p.cpus,
      mem: p.mem,
      disk: 40_000,
      ports: '31000-31010',
      attributes: { nodetype: p.nodetype },
    },
    bootDelayMs: p.bootDelayMs,
    readyDelayMs: p.readyDelayMs,
    maxLaunchTimeMs: 1_200_000,
    maxIdleTimeMs: p.maxIdleTimeMs,
    commandTimeoutMs: 600_000,
  };
}

interface StaticShape {
  readonly count: number;
  readonly cpus: number;
  readonly mem: number;
  readonly nodetype: string;
}

/** 0–3 static agents, all alike. */
const staticArb: fc.Arbitrary<StaticShape> = fc.record({
  count: fc.integer({ min: 0, max: 3 }),
  cpus: fc.integer({ min: 1, max: 8 }),
  mem: fc.integer({ min: 2, max: 16 }).map((n) => n * 512),
  nodetype: fc.constantFrom(...STATIC_NODETYPES),
});

function toGroups(s: StaticShape): AgentGroup[] {
  if (s.count === 0) return [];
  return [
    {
      name: STATIC_GROUP,
      count: s.count,
      resources: { cpus: s.cpus, mem: s.mem, disk: 20_000, ports: [{ begin: 31000, end: 31010 }] },
      attributes: { nodetype: s.nodetype },
    },
  ];
}

/** A copy's or batch task's runtime: 10 s – 3 min. */
const runtimeArb = fc.integer({ min: 10, max: 180 }).map((s) => s * SECOND);

interface TaskShape {
  readonly cpus: number;
  readonly mem: number;
  readonly nodetype: string | undefined;
  readonly runtimeMs: number | undefined;
  readonly overuse: boolean;
}

const taskShapeArb = (opts: { services: boolean; overuse: boolean }): fc.Arbitrary<TaskShape> =>
  fc.record({
    cpus: fc.constantFrom(0.25, 0.5, 1, 2),
    mem: fc.integer({ min: 1, max: 32 }).map((n) => n * 128),
    nodetype: fc.constantFrom(...TASK_NODETYPES),
    runtimeMs: opts.services ? fc.option(runtimeArb, { nil: undefined, freq: 4 }) : runtimeArb,
    overuse: opts.overuse ? fc.boolean() : fc.constant(false),
  });

function specOf(id: string, t: TaskShape): TaskSpec {
  return {
    id,
    dockerimage: 'img',
    cpus: t.cpus,
    mem: t.mem,
    ...(t.nodetype !== undefined ? { nodetype: t.nodetype } : {}),
  };
}

/** Over-using tasks ask for less memory than they use (the agent kills them); the others use half. */
function behaviourOf(t: TaskShape): Behaviour {
  return {
    ...(t.runtimeMs !== undefined ? { runtimeMs: t.runtimeMs } : {}),
    usage: { mem: t.overuse ? t.mem + 64 : Math.floor(t.mem / 2) },
  };
}

interface JobShape {
  readonly maxtasks: number;
  readonly waitMs: number;
  readonly total: number;
}

/** maxtasks 1–5, wait 0–120 s, total 1–20. */
const jobShapeArb: fc.Arbitrary<JobShape> = fc.record({
  maxtasks: fc.integer({ min: 1, max: 5 }),
  waitMs: fc.integer({ min: 0, max: 120 }).map((s) => s * SECOND),
  total: fc.integer({ min: 1, max: 20 }),
});

function jobAction(id: string, j: JobShape, t: TaskShape): Action {
  const job: JobSpec = { task: specOf(id, t), maxtasks: j.maxtasks, waitMs: j.waitMs, total: j.total };
  return { kind: 'job', job, behaviour: behaviourOf(t) };
}

type PoolOp = { readonly launch: number } | { readonly action: 'freeze' | 'restore' | 'drain' };

const poolOpArb: fc.Arbitrary<PoolOp> = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((launch) => ({ launch })),
  fc.constantFrom('freeze', 'restore', 'restore', 'drain').map((action) => ({ action })),
);

interface TimedPoolOp {
  readonly at: number;
  /** Index into the scenario's pools (modulo their number). */
  readonly pool: number;
  readonly op: PoolOp;
}

/**
 * Pool actions in bursts: up to 3 bursts at 0–30 min, each on one pool, often opening with a
 * launch, then 1–3 actions 0–90 s apart, so a freeze, restore or drain often comes while nodes are
 * still booting.
 */
const poolOpsArb: fc.Arbitrary<TimedPoolOp[]> = fc
  .array(
    fc.record({
      at: fc.integer({ min: 0, max: 1800 }),
      pool: fc.nat(1),
      lead: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 2 }),
      ops: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 90 }), op: poolOpArb }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    { maxLength: 3 },
  )
  .map((bursts) =>
    bursts.flatMap((b) => {
      let at = b.at;
      const ops = b.lead === undefined ? b.ops : [{ gap: 0, op: { launch: b.lead } }, ...b.ops];
      return ops.map((o) => {
        at += o.gap;
        return { at: at * SECOND, pool: b.pool, op: o.op };
      });
    }),
  );

function poolAction(pool: string, op: PoolOp): Action {
  return 'launch' in op
    ? { kind: 'pool', pool, launch: op.launch }
    : { kind: 'pool', pool, action: op.action };
}

const atArb = (maxMs: number) => fc.integer({ min: 0, max: maxMs / SECOND }).map((s) => s * SECOND);

const failoverArb = fc.option(
  fc.record({ at: atArb(30 * MINUTE), downMs: fc.integer({ min: 5, max: 30 }).map((s) => s * SECOND) }),
  { nil: undefined },
);

function byTime<T>(items: Timed<T>[]): Timed<T>[] {
  // Stable: ties keep their order, like a scenario file's.
  return items.sort((a, b) => a.at - b.at);
}

function scenarioOf(parts: {
  seed: number;
  durationMs: number;
  groups: AgentGroup[];
  pools: ScenarioPool[];
  workload: Timed<Action>[];
  faults: Timed<Fault>[];
  name: string;
}): Scenario {
  return {
    file: '(generated)',
    name: parts.name,
    seed: parts.seed,
    durationMs: parts.durationMs,
    cluster: { agents: parts.groups, pools: parts.pools, timing: {} },
    policy: { placement: 'first-fit', reshuffle: 'charmander', sizing: 'off' },
    scheduler: {},
    workload: byTime(parts.workload),
    faults: byTime(parts.faults),
    expect: {},
  };
}

const failoverFaults = (f: { at: number; downMs: number } | undefined): Timed<Fault>[] =>
  f === undefined ? [] : [{ at: f.at, line: 1, item: { kind: 'master-failover', downMs: f.downMs } }];

const placementArb = fc.constantFrom('first-fit', 'bin-pack', 'spread');

/** Plain submits: `count` copies of one task shape at a time within the first `within` ms. */
function submitsArb(o: { services: boolean; overuse: boolean; within: number; most: number }) {
  return fc.array(
    fc.record({
      at: atArb(o.within),
      count: fc.integer({ min: 1, max: 6 }),
      task: taskShapeArb({ services: o.services, overuse: o.overuse }),
    }),
    { maxLength: o.most },
  );
}

/** One to three jobs (some copies over-use memory and are retried) within the first `within` ms. */
function jobsArb(within: number) {
  return fc.array(
    fc.record({
      at: atArb(within),
      job: jobShapeArb,
      task: taskShapeArb({ services: false, overuse: true }),
    }),
    { minLength: 1, maxLength: 3 },
  );
}

/** Auto mode switched off and on at random times. */
const autosArb = fc.array(fc.record({ at: atArb(30 * MINUTE), enabled: fc.boolean() }), { maxLength: 3 });

/**
 * Everything mixed: batch submits (a few services too), jobs with over-using copies, pool launches,
 * freezes, restores and drains, auto mode off and on, a failover; 30–60 simulated minutes.
 */
export const poolScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    static: staticArb,
    pools: fc.array(poolShapeArb({ minMax: 0 }), { minLength: 1, maxLength: 2 }),
    submits: submitsArb({ services: true, overuse: true, within: 20 * MINUTE, most: 4 }),
    jobs: jobsArb(20 * MINUTE),
    deletes: fc.array(fc.record({ at: atArb(30 * MINUTE), job: fc.nat(2) }), { maxLength: 1 }),
    poolOps: poolOpsArb,
    autos: autosArb,
    failover: failoverArb,
    durationMs: fc.integer({ min: 30, max: 60 }).map((m) => m * MINUTE),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    placement: placementArb,
  })
  .map((r) => {
    const pools = r.pools.map((p, i) => toPool(POOL_NAMES[i] as string, p));
    const workload: Timed<Action>[] = [
      ...r.submits.map((s, i) => ({
        at: s.at,
        line: 1,
        item: {
          kind: 'submit' as const,
          spec: specOf(`b${i}`, s.task),
          count: s.count,
          spreadMs: 0,
          behaviour: behaviourOf(s.task),
        },
      })),
      ...r.jobs.map((j, i) => ({ at: j.at, line: 1, item: jobAction(`j${i}`, j.job, j.task) })),
      ...r.deletes
        .filter((d) => d.job < r.jobs.length)
        .map((d) => ({ at: d.at, line: 1, item: { kind: 'job-delete' as const, id: `j${d.job}` } })),
      ...r.poolOps.map((o) => ({
        at: o.at,
        line: 1,
        item: poolAction((pools[o.pool % pools.length] as ScenarioPool).name, o.op),
      })),
      ...r.autos.map((a) => ({ at: a.at, line: 1, item: { kind: 'auto' as const, enabled: a.enabled } })),
    ];
    return {
      ...scenarioOf({
        name: 'pools-jobs',
        seed: r.seed,
        durationMs: r.durationMs,
        groups: toGroups(r.static),
        pools,
        workload,
        faults: failoverFaults(r.failover),
      }),
      policy: { placement: r.placement, reshuffle: 'charmander', sizing: 'off' },
    };
  });

/** A scenario with one pool drained at `drainAt` and never touched again. */
export interface DrainCase {
  readonly scenario: Scenario;
  readonly pool: string;
  readonly drainAt: number;
}

/**
 * Batch only (every submit and copy has a runtime, some over-use and are retried), so whatever
 * lands on a pool ends; pool `pa` is drained at 1–20 min or just as the nodes for the first job
 * join, after which no action touches it (other pools, auto mode and failovers carry on). The run
 * lasts at least 25 min past the drain.
 */
export const drainScenarioArb: fc.Arbitrary<DrainCase> = fc
  .record({
    static: staticArb,
    pools: fc.array(poolShapeArb({ minMax: 1 }), { minLength: 1, maxLength: 2 }),
    submits: submitsArb({ services: false, overuse: true, within: 20 * MINUTE, most: 4 }),
    jobs: jobsArb(15 * MINUTE),
    poolOps: poolOpsArb,
    autos: autosArb,
    drainAt: fc.integer({ min: 60, max: 1200 }).map((s) => s * SECOND),
    /** Drain just as the nodes for the first job come up (their agents may already run its copies). */
    drainAsNodesJoin: fc.boolean(),
    joinOffsetMs: fc.integer({ min: 0, max: 25 }).map((s) => s * SECOND),
    failover: failoverArb,
    extraMs: fc.integer({ min: 0, max: 15 }).map((m) => m * MINUTE),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((r) => {
    const pools = r.pools.map((p, i) => toPool(POOL_NAMES[i] as string, p));
    const first = pools[0] as ScenarioPool;
    const drained = first.name;
    const firstJobAt = Math.min(...r.jobs.map((j) => j.at));
    const drainAt = r.drainAsNodesJoin
      ? firstJobAt + first.bootDelayMs + first.readyDelayMs + r.joinOffsetMs
      : r.drainAt;
    const ops = r.poolOps
      .map((o) => ({ at: o.at, pool: (pools[o.pool % pools.length] as ScenarioPool).name, op: o.op }))
      .filter((o) => o.pool !== drained || o.at < drainAt);
    const workload: Timed<Action>[] = [
      ...r.submits.map((s, i) => ({
        at: s.at,
        line: 1,
        item: {
          kind: 'submit' as const,
          spec: specOf(`b${i}`, s.task),
          count: s.count,
          spreadMs: 0,
          behaviour: behaviourOf(s.task),
        },
      })),
      ...r.jobs.map((j, i) => ({ at: j.at, line: 1, item: jobAction(`j${i}`, j.job, j.task) })),
      ...ops.map((o) => ({ at: o.at, line: 1, item: poolAction(o.pool, o.op) })),
      ...r.autos.map((a) => ({ at: a.at, line: 1, item: { kind: 'auto' as const, enabled: a.enabled } })),
      { at: drainAt, line: 1, item: { kind: 'pool' as const, pool: drained, action: 'drain' as const } },
    ];
    return {
      pool: drained,
      drainAt,
      scenario: scenarioOf({
        name: 'pools-drain',
        seed: r.seed,
        durationMs: Math.max(30 * MINUTE, drainAt + 25 * MINUTE + r.extraMs),
        groups: toGroups(r.static),
        pools,
        workload,
        faults: failoverFaults(r.failover),
      }),
    };
  });

/**
 * Jobs that can complete: every copy (cpus ≤ 1, mem ≤ 1 GB, no over-use) fits on a node of every
 * pool (each with max ≥ 1, 2 cpus and 2 GB at least) and on a static agent, and asks for no
 * nodetype or one some pool or the static group has. Pools are only launched into, never frozen
 * or drained; auto mode stays on. The run lasts long enough for every wave even when each one
 * waits for new nodes to boot.
 */
export const completableJobsArb: fc.Arbitrary<Scenario> = fc
  .record({
    static: staticArb,
    pools: fc.array(poolShapeArb({ minMax: 1 }), { minLength: 1, maxLength: 2 }),
    jobs: fc.array(
      fc.record({
        at: atArb(10 * MINUTE),
        job: jobShapeArb,
        cpus: fc.constantFrom(0.25, 0.5, 1),
        mem: fc.integer({ min: 1, max: 8 }).map((n) => n * 128),
        nodetype: fc.nat(3),
        runtimeMs: runtimeArb,
      }),
      { minLength: 1, maxLength: 3 },
    ),
    submits: submitsArb({ services: false, overuse: false, within: 10 * MINUTE, most: 2 }),
    launches: fc.array(
      fc.record({ at: atArb(20 * MINUTE), pool: fc.nat(1), launch: fc.integer({ min: 1, max: 3 }) }),
      {
        maxLength: 2,
      },
    ),
    failover: failoverArb,
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    placement: placementArb,
  })
  .map((r) => {
    const pools = r.pools.map((p, i) => toPool(POOL_NAMES[i] as string, p));
    const groups = toGroups(r.static);
    const nodetypes = [
      ...new Set([
        ...pools.map((p) => p.template.attributes.nodetype),
        ...groups.map((g) => g.attributes.nodetype),
      ]),
    ];
    let longest = 0;
    const workload: Timed<Action>[] = [
      ...r.jobs.map((j, i) => {
        const nodetype = j.nodetype < nodetypes.length ? nodetypes[j.nodetype] : undefined;
        const task: TaskShape = {
          cpus: j.cpus,
          mem: j.mem,
          nodetype,
          runtimeMs: j.runtimeMs,
          overuse: false,
        };
        const waves = Math.ceil(j.job.total / j.job.maxtasks);
        longest += waves * (j.runtimeMs + j.job.waitMs + 5 * MINUTE);
        return { at: j.at, line: 1, item: jobAction(`j${i}`, j.job, task) };
      }),
      ...r.submits.map((s, i) => ({
        at: s.at,
        line: 1,
        item: {
          kind: 'submit' as const,
          spec: specOf(`b${i}`, s.task),
          count: s.count,
          spreadMs: 0,
          behaviour: behaviourOf(s.task),
        },
      })),
      ...r.launches.map((l) => ({
        at: l.at,
        line: 1,
        item: {
          kind: 'pool' as const,
          pool: (pools[l.pool % pools.length] as ScenarioPool).name,
          launch: l.launch,
        },
      })),
    ];
    return {
      ...scenarioOf({
        name: 'jobs-complete',
        seed: r.seed,
        // Waves of different jobs may queue behind one another: their times add up.
        durationMs: 10 * MINUTE + longest + 10 * MINUTE,
        groups,
        pools,
        workload,
        faults: failoverFaults(r.failover),
      }),
      policy: { placement: r.placement, reshuffle: 'charmander', sizing: 'off' },
    };
  });
