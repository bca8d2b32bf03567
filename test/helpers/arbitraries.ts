import fc from 'fast-check';
import type { TaskSpec } from '../../src/core/spec/task-spec.ts';
import type { Action, AgentGroup, Fault, Scenario, Timed } from '../../src/scenario/types.ts';

const NODETYPES = ['lab', 'analytics'] as const;
const MINUTE = 60_000;

const groupArb = (name: string, big: boolean): fc.Arbitrary<AgentGroup> =>
  fc
    .record({
      count: fc.integer({ min: 1, max: 4 }),
      cpus: big ? fc.integer({ min: 8, max: 16 }) : fc.integer({ min: 1, max: 8 }),
      mem: big
        ? fc.integer({ min: 8, max: 16 }).map((g) => g * 1024)
        : fc.integer({ min: 1, max: 16 }).map((n) => n * 512),
      nodetype: fc.constantFrom(...NODETYPES),
    })
    .map((g) => ({
      name,
      count: g.count,
      resources: { cpus: g.cpus, mem: g.mem, disk: 0, ports: [{ begin: 31000, end: 31010 }] },
      attributes: { nodetype: g.nodetype },
    }));

const specArb: fc.Arbitrary<TaskSpec> = fc
  .record({
    id: fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma'),
    mem: fc.integer({ min: 16, max: 2048 }),
    cpus: fc.constantFrom(0.1, 0.25, 0.5, 1, 2),
    sla: fc.constantFrom(undefined, undefined, undefined, 'one-per-node', 'singleton'),
    nodetype: fc.constantFrom(undefined, undefined, ...NODETYPES),
    reshuffleable: fc.boolean(),
    port: fc.constantFrom(undefined, undefined, undefined, 31001, 31002),
  })
  .map((s) => {
    const spec: TaskSpec = {
      id: s.sla ? `${s.id}-${s.sla}` : s.id,
      dockerimage: 'img',
      mem: s.mem,
      cpus: s.cpus,
    };
    if (s.sla !== undefined) spec.sla = s.sla;
    if (s.nodetype !== undefined) spec.nodetype = s.nodetype;
    if (s.reshuffleable) spec.reshuffleable = true;
    if (s.port !== undefined) spec.ports = [{ host_port: s.port, container_port: 80 }];
    return spec;
  });

const submitArb: fc.Arbitrary<Action> = fc
  .record({
    spec: specArb,
    count: fc.integer({ min: 1, max: 4 }),
    runtime: fc.constantFrom(undefined, undefined, 2 * MINUTE, 5 * MINUTE),
    overuse: fc.boolean(),
  })
  .map((a) => ({
    kind: 'submit' as const,
    spec: a.spec,
    count: a.spec.sla ? 1 : a.count,
    spreadMs: 0,
    behaviour: {
      ...(a.runtime !== undefined ? { runtimeMs: a.runtime } : {}),
      ...(a.overuse ? { usage: { mem: a.spec.mem + 10 } } : { usage: { mem: Math.floor(a.spec.mem / 2) } }),
    },
  }));

/** Arbitrary scenarios: small clusters, mixed workloads, kills, reshuffles, joins, holds and faults. */
export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    groups: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    submits: fc.array(fc.tuple(fc.integer({ min: 0, max: 10 * MINUTE }), submitArb), {
      minLength: 1,
      maxLength: 10,
    }),
    kills: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 12 * MINUTE }),
        fc.constantFrom('alpha', 'beta', 'gamma-singleton', 'delta-one-per-node', 'o'),
      ),
      { maxLength: 2 },
    ),
    reshuffles: fc.array(fc.integer({ min: 0, max: 12 * MINUTE }), { maxLength: 2 }),
    joins: fc.array(fc.integer({ min: 0, max: 12 * MINUTE }), { maxLength: 2 }),
    holds: fc.array(fc.tuple(fc.integer({ min: 0, max: 12 * MINUTE }), fc.boolean()), { maxLength: 2 }),
    losses: fc.array(fc.integer({ min: 0, max: 12 * MINUTE }), { maxLength: 2 }),
    failover: fc.option(fc.integer({ min: 0, max: 12 * MINUTE }), { nil: undefined }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    placement: fc.constantFrom('first-fit', 'bin-pack', 'spread'),
    reshuffle: fc.constantFrom('charmander', 'planned', 'right-size', 'consolidate', 'rebalance'),
    sizing: fc.constantFrom('off', 'charmander', 'p99-window'),
    metering: fc.boolean(),
  })
  .chain((r) =>
    fc
      .tuple(
        ...r.groups.map((_, i) => groupArb(`g${i}`, false)),
        ...r.joins.map((_, i) => groupArb(`late${i}`, false)),
      )
      .map((groups) => {
        const initial = groups.slice(0, r.groups.length);
        const late = groups.slice(r.groups.length);
        const hostnames = initial.flatMap((g) =>
          Array.from({ length: g.count }, (_, i) => `${g.name}-${i + 1}`),
        );
        const workload: Timed<Action>[] = [
          ...r.submits.map(([at, item]) => ({ at, line: 1, item })),
          ...r.kills.map(([at, prefix]) => ({ at, line: 1, item: { kind: 'kill' as const, prefix } })),
          ...r.reshuffles.map((at) => ({ at, line: 1, item: { kind: 'reshuffle' as const } })),
          ...late.map((group, i) => ({
            at: r.joins[i] as number,
            line: 1,
            item: { kind: 'agents' as const, group },
          })),
          ...r.holds.map(([at, held], i) => ({
            at,
            line: 1,
            item: held
              ? { kind: 'hold' as const, hostname: hostnames[i % hostnames.length] as string }
              : { kind: 'unhold' as const, hostname: hostnames[i % hostnames.length] as string },
          })),
        ].sort((a, b) => a.at - b.at);
        const faults: Timed<Fault>[] = [
          ...r.losses.map((at, i) => ({
            at,
            line: 1,
            item: { kind: 'agent-loss' as const, hostname: hostnames[(i * 7) % hostnames.length] as string },
          })),
          ...(r.failover !== undefined
            ? [{ at: r.failover, line: 1, item: { kind: 'master-failover' as const, downMs: 10_000 } }]
            : []),
        ].sort((a, b) => a.at - b.at);
        return {
          file: '(generated)',
          name: 'generated',
          seed: r.seed,
          durationMs: 20 * MINUTE,
          cluster: { agents: initial, pools: [], timing: {} },
          policy: { placement: r.placement, reshuffle: r.reshuffle, sizing: r.sizing },
          ...(r.metering ? { meteringMs: 15_000 } : {}),
          scheduler: {},
          workload,
          faults,
          expect: {},
        } satisfies Scenario;
      }),
  );

/**
 * Scenarios where capacity suffices: big agents, plain services without constraints that use
 * less than they ask, at most one agent lost, no kills. Every task must end up running.
 */
export const roomyScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    groups: fc.array(groupArb('big', true), { minLength: 1, maxLength: 1 }),
    submits: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 5 * MINUTE }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 16, max: 512 }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
    loss: fc.option(fc.integer({ min: 0, max: 8 * MINUTE }), { nil: undefined }),
    failover: fc.option(fc.integer({ min: 0, max: 8 * MINUTE }), { nil: undefined }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((r) => {
    const group = { ...(r.groups[0] as AgentGroup), count: 3 };
    const workload: Timed<Action>[] = r.submits
      .map(([at, count, mem], i) => ({
        at,
        line: 1,
        item: {
          kind: 'submit' as const,
          spec: { id: `svc${i}`, dockerimage: 'img', mem, cpus: 0.1 },
          count,
          spreadMs: 0,
          behaviour: { usage: { mem: Math.floor(mem / 2) } },
        },
      }))
      .sort((a, b) => a.at - b.at);
    const faults: Timed<Fault>[] = [
      ...(r.loss !== undefined
        ? [{ at: r.loss, line: 1, item: { kind: 'agent-loss' as const, hostname: 'big-2' } }]
        : []),
      ...(r.failover !== undefined
        ? [{ at: r.failover, line: 1, item: { kind: 'master-failover' as const, downMs: 5000 } }]
        : []),
    ].sort((a, b) => a.at - b.at);
    return {
      file: '(generated)',
      name: 'roomy',
      seed: r.seed,
      durationMs: 15 * MINUTE,
      cluster: { agents: [group], pools: [], timing: {} },
      policy: { placement: 'spread', reshuffle: 'charmander', sizing: 'off' },
      scheduler: {},
      workload,
      faults,
      expect: {},
    } satisfies Scenario;
  });
