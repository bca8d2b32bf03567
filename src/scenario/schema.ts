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
  },
  closed,
);

const Empty = Type.Object({}, closed);

export const WorkloadItemSchema = Type.Object(
  {
    at: Duration,
    submit: opt(Type.Unknown({ description: 'a Charmander task configuration' })),
    count: opt(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    usage: opt(
      Type.Object({ mem: opt(Type.Number({ minimum: 0 })), cpus: opt(Type.Number({ minimum: 0 })) }, closed),
    ),
    runtime: opt(Duration),
    spread: opt(Duration),
    kill: opt(Type.String({ minLength: 1 })),
    reshuffle: opt(Empty),
    agents: opt(AgentGroupSchema),
    hold: opt(Type.String({ minLength: 1 })),
    unhold: opt(Type.String({ minLength: 1 })),
    vacate: opt(Type.String({ minLength: 1 })),
    pause: opt(Empty),
    resume: opt(Empty),
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
      { agents: Type.Array(AgentGroupSchema, { minItems: 1 }), timing: opt(TimingSchema) },
      closed,
    ),
    policy: opt(Type.Object({ placement: opt(Type.String()), reshuffle: opt(Type.String()) }, closed)),
    scheduler: opt(SchedulerSchema),
    workload: opt(Type.Array(WorkloadItemSchema)),
    faults: opt(Type.Array(FaultItemSchema)),
    expect: opt(Type.Object({ running: opt(Counts), pending: opt(Counts), finished: opt(Counts) }, closed)),
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
] as const;
/** Fault keys of a fault item; exactly one must be present. */
export const FAULT_KEYS = ['agent-loss', 'master-failover'] as const;
