import Type from 'typebox';

/**
 * The structure of a scenario file (DESIGN ◆2.3) as a TypeBox schema. Durations, port ranges
 * and task specs are left open here and checked by their own parsers, which give better messages
 * (`duration.ts`, `parseRanges`, `parseTaskSpec`).
 */

const Duration = Type.Unknown({
  description: 'a duration: 500ms, 90s, 30m, 1h, 1h30m (a bare number is ms)',
});
const opt = Type.Optional;
const closed = { additionalProperties: false } as const;

export const AgentResourcesSchema = Type.Object(
  {
    cpus: Type.Number({ exclusiveMinimum: 0 }),
    mem: Type.Number({ exclusiveMinimum: 0, description: 'MB' }),
    disk: opt(Type.Number({ minimum: 0, description: 'MB' })),
    ports: opt(Type.String({ description: 'port ranges, e.g. "31000-32000" (the Mesos default)' })),
  },
  closed,
);

export const AgentGroupSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      description: 'agents are named <name>-1 … <name>-<count>',
    }),
    count: opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
    resources: AgentResourcesSchema,
    attributes: opt(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  },
  closed,
);

/**
 * An elastic pool (Dynamic Cluster's resource): machines offerlab provisions itself, named
 * `<name>-<n>`. Simulated: they join after `boot_delay` + `ready_delay`. Live: `provision_command`
 * and `destroy_command` run (placeholders {hostname}, {pool}, {cpus}, {mem}, {disk}, {agent_id},
 * {attr.NAME}; values are shell-quoted) and must finish within `command_timeout`.
 */
export const PoolSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      description: 'nodes are named <name>-1, <name>-2, … (numbers are never reused)',
    }),
    min: opt(Type.Integer({ minimum: 0, maximum: 100_000 })),
    max: Type.Integer({ minimum: 1, maximum: 100_000 }),
    resources: AgentResourcesSchema,
    attributes: opt(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    boot_delay: opt(Duration),
    ready_delay: opt(Duration),
    max_launch_time: opt(Duration),
    max_idle_time: opt(Duration),
    provision_command: opt(Type.String({ minLength: 1 })),
    destroy_command: opt(Type.String({ minLength: 1 })),
    command_timeout: opt(Duration),
  },
  closed,
);

const TimingSchema = Type.Object(
  {
    'allocation-interval': opt(Duration),
    latency: opt(Duration),
    'launch-delay': opt(Duration),
    'start-delay': opt(Duration),
    'kill-delay': opt(Duration),
    'memory-kill-delay': opt(Duration),
    'heartbeat-interval': opt(Duration),
  },
  closed,
);

const SchedulerSchema = Type.Object(
  {
    'offer-hold': opt(Duration),
    'decline-refuse': opt(Duration),
    'idle-refuse': opt(Duration),
    'relaunch-backoff': opt(Duration),
    'relaunch-backoff-max': opt(Duration),
    'batch-retries': opt(Type.Integer({ minimum: 0, maximum: 100 })),
    /** Pools: auto mode at the start (default true) and how often pools are checked (default 10s). */
    'auto-scale': opt(Type.Boolean()),
    'pool-check': opt(Duration),
  },
  closed,
);

const Empty = Type.Object({}, closed);

/*
 * Usage: what each submitted copy really uses in the simulator (memory in MB, cpus), per resource
 * either a plain number (constant, as before profiles existed) or a profile. Time runs from the
 * task's launch, i.e. the moment the simulated agent reports TASK_RUNNING. Omitted resources use
 * what the task asked for.
 *
 *   usage: { mem: 60, cpus: 0.5 }                                     # constants
 *   usage:
 *     mem:  { profile: constant, value: 60 }                          # same as mem: 60
 *     mem:  { profile: ramp, from: 20, to: 90, over: 5m }             # linear from launch, then stays at `to`
 *     cpus: { profile: periodic, low: 0.2, high: 1.5, period: 2m }    # smooth wave, see below
 *     mem:  { profile: spikes, base: 40, peak: 95, every: 3m, for: 10s, jitter: 20s }
 *
 * - constant: `value` all the time.
 * - ramp: `from` at launch, linearly to `to` at `over`, then `to` for good (`to` < `from` ramps down).
 * - periodic: a smooth raised-cosine wave (like lookbusy's `--cpu-mode curve`), phase from launch:
 *   `low` at launch, `high` half a `period` later, `low` again after a whole one
 *   (value = low + (high − low)·(1 − cos(2π·t/period))/2). `high` must be at least `low`.
 * - spikes: `base`, except for windows of `for` in which it is `peak`; the k-th window (k = 1, 2, …)
 *   starts at k·`every` after launch (so the first comes one `every` after launch), delayed by a
 *   whole number of ms in [0, `jitter`] (default 0) that is drawn per task and per spike from a
 *   labelled fork of the run's seed, so runs stay reproducible. `peak` must be at least `base`;
 *   `for` + `jitter` must not exceed `every` (windows never overlap).
 *
 * Values are ≥ 0; durations use the usual syntax (500ms, 90s, 5m, 1h30m), are rounded to whole
 * milliseconds and must be at least 1 ms (`jitter` may be 0). A task is killed like Mesos' memory
 * isolation kills it (TASK_FAILED, REASON_CONTAINER_LIMITATION_MEMORY) at the first millisecond
 * its memory exceeds its allocation; the update follows `memory-kill-delay` later.
 *
 * The loader checks a number against UsageNumberSchema and a mapping against the schema its
 * `profile` names in UsageProfileSchemas (one schema per profile gives plainer messages than a
 * union would).
 */
const UsageValue = Type.Unknown({ description: 'a number (MB for mem) or a usage profile' });

export const UsageNumberSchema = Type.Number({ minimum: 0 });

const level = Type.Number({ minimum: 0 });

export const UsageProfileSchemas = {
  constant: Type.Object({ profile: Type.Literal('constant'), value: level }, closed),
  ramp: Type.Object({ profile: Type.Literal('ramp'), from: level, to: level, over: Duration }, closed),
  periodic: Type.Object(
    { profile: Type.Literal('periodic'), low: level, high: level, period: Duration },
    closed,
  ),
  spikes: Type.Object(
    {
      profile: Type.Literal('spikes'),
      base: level,
      peak: level,
      every: Duration,
      for: Duration,
      jitter: opt(Duration),
    },
    closed,
  ),
} as const;

export const UsageSchema = Type.Object({ mem: opt(UsageValue), cpus: opt(UsageValue) }, closed);

export const WorkloadItemSchema = Type.Object(
  {
    at: Duration,
    submit: opt(Type.Unknown({ description: 'a Charmander task configuration' })),
    count: opt(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    usage: opt(UsageSchema),
    runtime: opt(Duration),
    spread: opt(Duration),
    kill: opt(Type.String({ minLength: 1 })),
    /** `{}` reshuffles with the scenario's strategy; `strategy` names another, `dry_run` only plans. */
    reshuffle: opt(Type.Object({ dry_run: opt(Type.Boolean()), strategy: opt(Type.String()) }, closed)),
    agents: opt(AgentGroupSchema),
    hold: opt(Type.String({ minLength: 1 })),
    unhold: opt(Type.String({ minLength: 1 })),
    vacate: opt(Type.String({ minLength: 1 })),
    pause: opt(Empty),
    resume: opt(Empty),
    /** An ETL job: a task configuration plus maxtasks, wait and total. */
    job: opt(Type.Unknown({ description: 'a task configuration with maxtasks, wait, total' })),
    'delete-job': opt(Type.String({ minLength: 1 })),
    pool: opt(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          launch: opt(Type.Integer({ minimum: 1, maximum: 100_000 })),
          action: opt(Type.Union([Type.Literal('freeze'), Type.Literal('restore'), Type.Literal('drain')])),
        },
        closed,
      ),
    ),
    auto: opt(Type.Boolean()),
  },
  closed,
);

export const FaultItemSchema = Type.Object(
  {
    at: Duration,
    'agent-loss': opt(Type.String({ minLength: 1 })),
    'master-failover': opt(Type.Object({ down: opt(Duration) }, closed)),
  },
  closed,
);

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: opt(Type.String()),
    seed: opt(Type.Integer()),
    duration: Duration,
    cluster: Type.Object(
      {
        agents: opt(Type.Array(AgentGroupSchema)),
        pools: opt(Type.Array(PoolSchema)),
        timing: opt(TimingSchema),
      },
      closed,
    ),
    policy: opt(
      Type.Object(
        { placement: opt(Type.String()), reshuffle: opt(Type.String()), sizing: opt(Type.String()) },
        closed,
      ),
    ),
    /** How often the running tasks' usage is metered (off when absent), e.g. `15s` like Charmander. */
    metering: opt(Duration),
    scheduler: opt(SchedulerSchema),
    workload: opt(Type.Array(WorkloadItemSchema)),
    faults: opt(Type.Array(FaultItemSchema)),
    expect: opt(
      Type.Object(
        {
          running: opt(Counts),
          pending: opt(Counts),
          finished: opt(Counts),
          jobs: opt(Counts),
          pools: opt(
            Type.Record(
              Type.String(),
              Type.Object(
                { size: opt(Type.Integer({ minimum: 0 })), peak: opt(Type.Integer({ minimum: 0 })) },
                closed,
              ),
            ),
          ),
        },
        closed,
      ),
    ),
  },
  closed,
);

/** Action keys of a workload item; exactly one must be present. */
export const ACTION_KEYS = [
  'submit',
  'kill',
  'reshuffle',
  'agents',
  'hold',
  'unhold',
  'vacate',
  'pause',
  'resume',
  'job',
  'delete-job',
  'pool',
  'auto',
] as const;
/** Fault keys of a fault item; exactly one must be present. */
export const FAULT_KEYS = ['agent-loss', 'master-failover'] as const;
