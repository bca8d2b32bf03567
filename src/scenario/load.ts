import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { SIZING_MODES } from '../core/intelligence/sizing.ts';
import type { Range } from '../core/mesos/v1.ts';
import { parseRanges, rangesText } from '../core/model/resources.ts';
import { PROFILE_NAMES, type UsageProfile, type UsageSpec } from '../core/model/usage-profile.ts';
import { SCORER_NAMES } from '../core/placement/pipeline.ts';
import { STRATEGIES } from '../core/reshuffle/planner.ts';
import type { SchedulerConfig } from '../core/scheduler/config.ts';
import { parseJobSpec } from '../core/spec/job-spec.ts';
import { parseTaskSpec } from '../core/spec/task-spec.ts';
import { parseDuration } from './duration.ts';
import { ACTION_KEYS, FAULT_KEYS, ScenarioSchema, UsageNumberSchema, UsageProfileSchemas } from './schema.ts';
import type {
  Action,
  AgentGroup,
  Behaviour,
  Expectations,
  Fault,
  Scenario,
  ScenarioPool,
  Timed,
  TimingOverrides,
} from './types.ts';

/** Reshuffle strategies a scenario may name. */
export const RESHUFFLE_STRATEGIES: readonly string[] = STRATEGIES;

export interface Problem {
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

/** A scenario file that cannot be used; `message` has one `file:line:col path problem` line per problem. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly problems: readonly Problem[];
  constructor(file: string, unsorted: readonly Problem[]) {
    const problems = [...unsorted].sort((a, b) => a.line - b.line || a.col - b.col);
    const shown = problems
      .slice(0, 12)
      .map((p) => `${file}:${p.line}:${p.col} ${p.path ? `${p.path} ` : ''}${p.message}`);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    super(shown.join('\n'));
    this.name = 'ScenarioError';
    this.file = file;
    this.problems = problems;
  }
}

/** Reads and validates a scenario file (YAML or JSON). Throws ScenarioError with positions. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ScenarioError(file, [
      { line: 1, col: 1, path: '', message: `cannot read the scenario: ${why}` },
    ]);
  }
  return parseScenario(text, file);
}

type Path = readonly (string | number)[];

function pointer(path: Path): string {
  return path.length === 0 ? '' : `/${path.join('/')}`;
}

function splitPointer(p: string): (string | number)[] {
  if (p === '') return [];
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

class Reporter {
  readonly problems: Problem[] = [];
  readonly #doc: Document;
  readonly #lines: LineCounter;
  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /** Position of the node at `path` (for a map key, of the key itself), or of its nearest ancestor. */
  position(path: Path, atKey = false): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      if (atKey && n === path.length && n > 0) {
        const parent = this.#doc.getIn(prefix.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find(
            (p) => isScalar(p.key) && String(p.key.value) === String(path[n - 1]),
          );
          const range = (pair?.key as Node | undefined)?.range;
          if (range) return this.#lines.linePos(range[0]);
        }
        continue;
      }
      const node = prefix.length === 0 ? this.#doc.contents : this.#doc.getIn(prefix, true);
      const range = (node as Node | null | undefined)?.range;
      if (range) return this.#lines.linePos(range[0]);
    }
    return { line: 1, col: 1 };
  }

  add(path: Path, message: string, atKey = false): void {
    const { line, col } = this.position(path, atKey);
    const last = path[path.length - 1];
    const text =
      typeof last === 'string' && message.startsWith(`${last} `) ? message.slice(last.length + 1) : message;
    this.problems.push({ line, col, path: pointer(path), message: text });
  }
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  object: 'a mapping (key: value pairs)',
  array: 'a list',
  boolean: 'true or false',
};

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** Turns TypeBox errors into one plain message per place. */
function reportSchemaErrors(r: Reporter, errors: readonly SchemaError[]): void {
  const byPath = new Map<string, SchemaError[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  for (const [p, list] of byPath) {
    const path = splitPointer(p);
    if (list.some((e) => e.keyword === 'boolean')) {
      r.add(path, `unknown key "${String(path[path.length - 1])}"`, true);
      continue;
    }
    const required = list.find((e) => e.keyword === 'required');
    if (required) {
      for (const name of (required.params.requiredProperties as string[] | undefined) ?? [])
        r.add([...path, name], 'is required');
      continue;
    }
    if (list.every((e) => e.keyword === 'additionalProperties')) continue;
    if (list.some((e) => e.keyword === 'anyOf')) {
      r.add(path, 'must be a string or a number');
      continue;
    }
    const e = list[0] as SchemaError;
    const limit = e.params.limit;
    switch (e.keyword) {
      case 'type':
        r.add(path, `must be ${TYPE_WORDS[String(e.params.type)] ?? String(e.params.type)}`);
        break;
      case 'minimum':
        r.add(path, `must be at least ${String(limit)}`);
        break;
      case 'exclusiveMinimum':
        r.add(path, `must be greater than ${String(limit)}`);
        break;
      case 'maximum':
        r.add(path, `must be at most ${String(limit)}`);
        break;
      case 'minLength':
        r.add(path, 'must not be empty');
        break;
      case 'minItems':
        r.add(path, `must have at least ${String(limit)} entr${limit === 1 ? 'y' : 'ies'}`);
        break;
      case 'pattern':
        r.add(path, 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"');
        break;
      default:
        r.add(path, e.message);
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates scenario text. `file` is used in messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        const first = e.message.split('\n')[0] ?? e.message;
        return {
          line: pos.line,
          col: pos.col,
          path: '',
          message: first.replace(/ at line \d+, column \d+:?$/, ''),
        };
      }),
    );
  }
  const r = new Reporter(doc, lines);
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isRecord(raw)) {
    r.add([], 'a scenario must be a mapping with name, duration, cluster, workload …');
    throw new ScenarioError(file, r.problems);
  }
  const schemaErrors = [...Value.Errors(ScenarioSchema, raw)] as unknown as SchemaError[];
  if (schemaErrors.length > 0) {
    reportSchemaErrors(r, schemaErrors);
    throw new ScenarioError(file, r.problems);
  }
  const scenario = build(r, raw, file);
  if (r.problems.length > 0 || !scenario) throw new ScenarioError(file, r.problems);
  return scenario;
}

function duration(
  r: Reporter,
  path: Path,
  value: unknown,
  opts: { positive?: boolean } = {},
): number | undefined {
  const ms = parseDuration(value);
  if (ms === undefined) {
    r.add(path, `must be a duration such as 500ms, 90s, 30m or 1h, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (opts.positive && ms <= 0) {
    r.add(path, 'must be longer than 0');
    return undefined;
  }
  return ms;
}

function agentGroup(r: Reporter, path: Path, g: Record<string, unknown>): AgentGroup | undefined {
  const res = g.resources as Record<string, unknown>;
  let ports: Range[] = [{ begin: 31000, end: 32000 }];
  if (res.ports !== undefined) {
    const parsed = parseRanges(String(res.ports));
    if (!parsed) {
      r.add(
        [...path, 'resources', 'ports'],
        `must be port ranges such as "31000-32000" or "8000-8100,9000", got ${JSON.stringify(res.ports)}`,
      );
      return undefined;
    }
    ports = parsed;
  }
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries((g.attributes as Record<string, string | number> | undefined) ?? {})) {
    attributes[k] = String(v);
  }
  return {
    name: String(g.name),
    count: (g.count as number | undefined) ?? 1,
    resources: {
      cpus: res.cpus as number,
      mem: res.mem as number,
      disk: (res.disk as number | undefined) ?? 0,
      ports,
    },
    attributes,
  };
}

/** Hostnames of a group's agents. */
export function groupHostnames(g: AgentGroup): string[] {
  return Array.from({ length: g.count }, (_, i) => `${g.name}-${i + 1}`);
}

const TIMING_KEYS: Readonly<Record<string, keyof TimingOverrides>> = {
  'allocation-interval': 'allocationIntervalMs',
  latency: 'latencyMs',
  'launch-delay': 'launchDelayMs',
  'start-delay': 'startDelayMs',
  'kill-delay': 'killDelayMs',
  'memory-kill-delay': 'memoryKillDelayMs',
  'heartbeat-interval': 'heartbeatIntervalMs',
};

function build(r: Reporter, raw: Record<string, unknown>, file: string): Scenario | undefined {
  const durationMs = duration(r, ['duration'], raw.duration, { positive: true });

  const cluster = raw.cluster as Record<string, unknown>;
  const groups: AgentGroup[] = [];
  const groupNames = new Set<string>();
  ((cluster.agents as Record<string, unknown>[] | undefined) ?? []).forEach((g, i) => {
    const group = agentGroup(r, ['cluster', 'agents', i], g);
    if (!group) return;
    if (groupNames.has(group.name))
      r.add(['cluster', 'agents', i, 'name'], `agent group "${group.name}" is defined twice`);
    groupNames.add(group.name);
    groups.push(group);
  });
  const pools = poolsOf(r, (cluster.pools as Record<string, unknown>[] | undefined) ?? [], groupNames);
  if (groups.length === 0 && pools.length === 0)
    r.add(['cluster'], 'needs agents or pools (a cluster with neither has nowhere to run anything)');
  const timing: TimingOverrides = {};
  for (const [key, value] of Object.entries((cluster.timing as Record<string, unknown> | undefined) ?? {})) {
    const field = TIMING_KEYS[key];
    const ms = duration(r, ['cluster', 'timing', key], value, { positive: key !== 'latency' });
    if (field && ms !== undefined) timing[field] = ms;
  }

  const policyRaw = (raw.policy as Record<string, string> | undefined) ?? {};
  const placement = policyRaw.placement ?? 'first-fit';
  if (!SCORER_NAMES.includes(placement)) {
    r.add(
      ['policy', 'placement'],
      `unknown placement policy "${placement}" (known: ${SCORER_NAMES.join(', ')})`,
    );
  }
  const reshuffle = policyRaw.reshuffle ?? 'charmander';
  if (!RESHUFFLE_STRATEGIES.includes(reshuffle)) {
    r.add(
      ['policy', 'reshuffle'],
      `unknown reshuffle strategy "${reshuffle}" (known: ${RESHUFFLE_STRATEGIES.join(', ')})`,
    );
  }

  const sizing = policyRaw.sizing ?? 'off';
  if (!SIZING_MODES.includes(sizing)) {
    r.add(['policy', 'sizing'], `unknown sizing "${sizing}" (known: ${SIZING_MODES.join(', ')})`);
  }
  const meteringMs =
    raw.metering === undefined ? undefined : duration(r, ['metering'], raw.metering, { positive: true });

  const scheduler = schedulerSettings(r, (raw.scheduler as Record<string, unknown> | undefined) ?? {});
  const workload = workloadItems(
    r,
    (raw.workload as Record<string, unknown>[] | undefined) ?? [],
    groupNames,
  );
  const hostnames = new Set(groups.flatMap(groupHostnames));
  for (const w of workload)
    if (w.item.kind === 'agents') for (const h of groupHostnames(w.item.group)) hostnames.add(h);
  const faults = faultItems(r, (raw.faults as Record<string, unknown>[] | undefined) ?? []);
  checkHostnames(r, hostnames, pools, raw);
  const poolNames = new Set(pools.map((p) => p.name));
  workload.forEach((w, i) => {
    if (w.item.kind === 'pool' && !poolNames.has(w.item.pool))
      r.add(
        ['workload', i, 'pool', 'name'],
        `no pool is named "${w.item.pool}" (pools: ${[...poolNames].join(', ') || 'none'})`,
      );
  });
  const expectPools = (raw.expect as { pools?: Record<string, unknown> } | undefined)?.pools ?? {};
  for (const name of Object.keys(expectPools))
    if (!poolNames.has(name))
      r.add(
        ['expect', 'pools', name],
        `no pool is named "${name}" (pools: ${[...poolNames].join(', ') || 'none'})`,
      );

  const expectRaw = (raw.expect as Record<string, Record<string, number>> | undefined) ?? {};
  const expectPoolsRaw = (raw.expect as Expectations | undefined)?.pools;
  const expect: Expectations = {
    ...(expectRaw.running ? { running: expectRaw.running } : {}),
    ...(expectRaw.pending ? { pending: expectRaw.pending } : {}),
    ...(expectRaw.finished ? { finished: expectRaw.finished } : {}),
    ...(expectRaw.jobs ? { jobs: expectRaw.jobs } : {}),
    ...(expectPoolsRaw ? { pools: expectPoolsRaw } : {}),
  };
  if (durationMs === undefined || r.problems.length > 0) return undefined;
  return {
    file,
    name: raw.name as string,
    ...(raw.description !== undefined ? { description: raw.description as string } : {}),
    seed: (raw.seed as number | undefined) ?? 1,
    durationMs,
    cluster: { agents: groups, pools, timing },
    policy: { placement, reshuffle, sizing },
    ...(meteringMs !== undefined ? { meteringMs } : {}),
    scheduler,
    workload,
    faults,
    expect,
  };
}

function schedulerSettings(r: Reporter, s: Record<string, unknown>): Partial<SchedulerConfig> {
  const out: { -readonly [K in keyof SchedulerConfig]?: SchedulerConfig[K] } = {};
  const ms = (key: string) => (s[key] === undefined ? undefined : duration(r, ['scheduler', key], s[key]));
  const hold = ms('offer-hold');
  if (hold !== undefined) out.offerHoldMs = hold;
  const decline = ms('decline-refuse');
  if (decline !== undefined) out.declineRefuseSeconds = decline / 1000;
  const idle = ms('idle-refuse');
  if (idle !== undefined) out.idleRefuseSeconds = idle / 1000;
  const backoff = ms('relaunch-backoff');
  if (backoff !== undefined) out.relaunchBackoffMs = backoff;
  const backoffMax = ms('relaunch-backoff-max');
  if (backoffMax !== undefined) out.relaunchBackoffMaxMs = backoffMax;
  if (s['batch-retries'] !== undefined) out.batchMaxRetries = s['batch-retries'] as number;
  if (s['auto-scale'] !== undefined) out.autoScale = s['auto-scale'] as boolean;
  const check =
    s['pool-check'] === undefined
      ? undefined
      : duration(r, ['scheduler', 'pool-check'], s['pool-check'], { positive: true });
  if (check !== undefined) out.poolCheckMs = check;
  return out;
}

/** Defaults of Dynamic Cluster where it has them (max_launch_time 1200 s, max_idle_time 600 s). */
const POOL_DEFAULTS = {
  bootDelayMs: 60_000,
  readyDelayMs: 15_000,
  maxLaunchTimeMs: 1_200_000,
  maxIdleTimeMs: 600_000,
  commandTimeoutMs: 600_000,
};

function poolsOf(r: Reporter, items: Record<string, unknown>[], groupNames: Set<string>): ScenarioPool[] {
  const out: ScenarioPool[] = [];
  const names = new Set<string>();
  items.forEach((p, i) => {
    const path: Path = ['cluster', 'pools', i];
    const shape = agentGroup(r, path, { name: p.name, resources: p.resources, attributes: p.attributes });
    if (!shape) return;
    const name = shape.name;
    if (names.has(name)) r.add([...path, 'name'], `pool "${name}" is defined twice`);
    if (groupNames.has(name))
      r.add(
        [...path, 'name'],
        `"${name}" is already an agent group; a pool needs a name of its own (nodes are <name>-<n>)`,
      );
    names.add(name);
    const min = (p.min as number | undefined) ?? 0;
    const max = p.max as number;
    if (min > max) r.add([...path, 'min'], `min (${min}) must not exceed max (${max})`);
    const ms = (key: string, fallback: number, positive = false) =>
      p[key] === undefined ? fallback : (duration(r, [...path, key], p[key], { positive }) ?? fallback);
    out.push({
      name,
      min,
      max,
      template: {
        cpus: shape.resources.cpus,
        mem: shape.resources.mem,
        disk: shape.resources.disk,
        ports: rangesText(shape.resources.ports),
        attributes: shape.attributes,
      },
      bootDelayMs: ms('boot_delay', POOL_DEFAULTS.bootDelayMs),
      readyDelayMs: ms('ready_delay', POOL_DEFAULTS.readyDelayMs),
      maxLaunchTimeMs: ms('max_launch_time', POOL_DEFAULTS.maxLaunchTimeMs, true),
      maxIdleTimeMs: ms('max_idle_time', POOL_DEFAULTS.maxIdleTimeMs),
      commandTimeoutMs: ms('command_timeout', POOL_DEFAULTS.commandTimeoutMs, true),
      ...(p.provision_command !== undefined ? { provisionCommand: p.provision_command as string } : {}),
      ...(p.destroy_command !== undefined ? { destroyCommand: p.destroy_command as string } : {}),
    });
  });
  return out;
}

function exactlyOne(
  r: Reporter,
  path: Path,
  item: Record<string, unknown>,
  keys: readonly string[],
  what: string,
): string | undefined {
  const present = keys.filter((k) => item[k] !== undefined);
  if (present.length === 1) return present[0];
  r.add(
    path,
    present.length === 0
      ? `needs one ${what}: ${keys.join(', ')}`
      : `has more than one ${what} (${present.join(', ')}); use one item per ${what}`,
  );
  return undefined;
}

function workloadItems(
  r: Reporter,
  items: Record<string, unknown>[],
  groupNames: Set<string>,
): Timed<Action>[] {
  const out: Timed<Action>[] = [];
  items.forEach((item, i) => {
    const path: Path = ['workload', i];
    const at = duration(r, [...path, 'at'], item.at);
    const key = exactlyOne(r, path, item, ACTION_KEYS, 'action');
    if (key !== 'submit') {
      for (const extra of key === 'job' ? ['count', 'spread'] : ['count', 'usage', 'runtime', 'spread']) {
        const where = extra === 'usage' || extra === 'runtime' ? 'submit and job' : 'submit';
        if (item[extra] !== undefined) r.add([...path, extra], `only applies to ${where}`, true);
      }
    }
    if (at === undefined || key === undefined) return;
    const line = r.position(path).line;
    const action = workloadAction(r, path, key, item, groupNames);
    if (action) out.push({ at, line, item: action });
  });
  return out
    .map((w, i) => ({ w, i }))
    .sort((a, b) => a.w.at - b.w.at || a.i - b.i)
    .map((x) => x.w);
}

function workloadAction(
  r: Reporter,
  path: Path,
  key: string,
  item: Record<string, unknown>,
  groupNames: Set<string>,
): Action | undefined {
  switch (key) {
    case 'job': {
      const parsed = parseJobSpec(item.job);
      if (!parsed.ok) {
        for (const e of parsed.errors)
          r.add([...path, 'job', ...splitPointer(e.path)], e.message, e.message.startsWith('unknown field'));
        return undefined;
      }
      const behaviour = behaviourOf(r, path, item);
      return behaviour === null ? undefined : { kind: 'job', job: parsed.job, behaviour };
    }
    case 'delete-job':
      return { kind: 'job-delete', id: item['delete-job'] as string };
    case 'pool': {
      const p = item.pool as { name: string; launch?: number; action?: 'freeze' | 'restore' | 'drain' };
      if ((p.launch === undefined) === (p.action === undefined)) {
        r.add(
          [...path, 'pool'],
          'needs exactly one of launch (a number of nodes) or action (freeze, restore, drain)',
        );
        return undefined;
      }
      return {
        kind: 'pool',
        pool: p.name,
        ...(p.launch !== undefined ? { launch: p.launch } : {}),
        ...(p.action !== undefined ? { action: p.action } : {}),
      };
    }
    case 'auto':
      return { kind: 'auto', enabled: item.auto as boolean };
    case 'submit': {
      const parsed = parseTaskSpec(item.submit);
      if (!parsed.ok) {
        for (const e of parsed.errors)
          r.add(
            [...path, 'submit', ...splitPointer(e.path)],
            e.message,
            e.message.startsWith('unknown field'),
          );
        return undefined;
      }
      const count = (item.count as number | undefined) ?? 1;
      if (parsed.spec.sla !== undefined && count !== 1) {
        r.add([...path, 'count'], `a ${parsed.spec.sla} task has exactly one submission; count must be 1`);
      }
      const spreadMs = item.spread === undefined ? 0 : (duration(r, [...path, 'spread'], item.spread) ?? 0);
      const behaviour = behaviourOf(r, path, item);
      if (behaviour === null) return undefined;
      return { kind: 'submit', spec: parsed.spec, count, spreadMs, behaviour };
    }
    case 'kill':
      return { kind: 'kill', prefix: item.kill as string };
    case 'reshuffle': {
      const rs = item.reshuffle as { dry_run?: boolean; strategy?: string };
      if (rs.strategy !== undefined && !RESHUFFLE_STRATEGIES.includes(rs.strategy)) {
        r.add(
          [...path, 'reshuffle', 'strategy'],
          `unknown reshuffle strategy "${rs.strategy}" (known: ${RESHUFFLE_STRATEGIES.join(', ')})`,
        );
        return undefined;
      }
      return {
        kind: 'reshuffle',
        ...(rs.strategy !== undefined ? { strategy: rs.strategy } : {}),
        ...(rs.dry_run !== undefined ? { dryRun: rs.dry_run } : {}),
      };
    }
    case 'agents': {
      const group = agentGroup(r, [...path, 'agents'], item.agents as Record<string, unknown>);
      if (!group) return undefined;
      if (groupNames.has(group.name)) {
        r.add(
          [...path, 'agents', 'name'],
          `agent group "${group.name}" already exists; new agents need a new group name`,
        );
        return undefined;
      }
      groupNames.add(group.name);
      return { kind: 'agents', group };
    }
    case 'hold':
      return { kind: 'hold', hostname: item.hold as string };
    case 'unhold':
      return { kind: 'unhold', hostname: item.unhold as string };
    case 'vacate':
      return { kind: 'vacate', hostname: item.vacate as string };
    case 'pause':
      return { kind: 'pause' };
    default:
      return { kind: 'resume' };
  }
}

/** What a submit's or job's copies do in the simulator (`runtime`, `usage`); null when it has problems. */
function behaviourOf(r: Reporter, path: Path, item: Record<string, unknown>): Behaviour | null {
  const runtimeMs =
    item.runtime === undefined
      ? undefined
      : duration(r, [...path, 'runtime'], item.runtime, { positive: true });
  const usage = item.usage === undefined ? undefined : usageOf(r, [...path, 'usage'], item.usage);
  if (usage === null) return null;
  return { ...(usage ? { usage } : {}), ...(runtimeMs !== undefined ? { runtimeMs } : {}) };
}

/** A submit's `usage` (schema ◆ usage in schema.ts); null when it has problems (reported). */
function usageOf(r: Reporter, path: Path, raw: unknown): NonNullable<Behaviour['usage']> | null {
  const given = raw as { mem?: unknown; cpus?: unknown };
  const out: { mem?: UsageSpec; cpus?: UsageSpec } = {};
  let ok = true;
  for (const name of ['mem', 'cpus'] as const) {
    if (given[name] === undefined) continue;
    const spec = usageSpec(r, [...path, name], given[name]);
    if (spec === undefined) ok = false;
    else out[name] = spec;
  }
  return ok ? out : null;
}

/** One resource's usage: a number (kept as written) or a profile with durations in ms. */
function usageSpec(r: Reporter, path: Path, raw: unknown): UsageSpec | undefined {
  const schemaErrors = (schema: TSchema, value: unknown) => {
    const errors = [...Value.Errors(schema, value)] as unknown as SchemaError[];
    const prefix = pointer(path);
    reportSchemaErrors(
      r,
      errors.map((e) => ({ ...e, instancePath: `${prefix}${e.instancePath}` })),
    );
    return errors.length === 0;
  };
  if (typeof raw === 'number') return schemaErrors(UsageNumberSchema, raw) ? raw : undefined;
  if (!isRecord(raw)) {
    r.add(path, 'must be a number or a usage profile such as { profile: ramp, from: 20, to: 90, over: 5m }');
    return undefined;
  }
  const known = PROFILE_NAMES.join(', ');
  if (raw.profile === undefined) {
    r.add([...path, 'profile'], `is required (one of ${known})`);
    return undefined;
  }
  const name = PROFILE_NAMES.find((p) => p === raw.profile);
  if (name === undefined) {
    r.add([...path, 'profile'], `unknown profile ${JSON.stringify(raw.profile)} (known: ${known})`);
    return undefined;
  }
  if (!schemaErrors(UsageProfileSchemas[name], raw)) return undefined;
  const num = (key: string) => raw[key] as number;
  /** A duration in whole ms, at least 1 ms (or 0 when `zero` allows it). */
  const ms = (key: string, zero = false): number | undefined => {
    const value = duration(r, [...path, key], raw[key]);
    if (value === undefined) return undefined;
    const whole = Math.round(value);
    if (whole < (zero ? 0 : 1)) {
      r.add([...path, key], zero ? 'must not be negative' : 'must be at least 1ms');
      return undefined;
    }
    return whole;
  };
  let profile: UsageProfile | undefined;
  switch (name) {
    case 'constant':
      profile = { profile: 'constant', value: num('value') };
      break;
    case 'ramp': {
      const overMs = ms('over');
      if (overMs !== undefined) profile = { profile: 'ramp', from: num('from'), to: num('to'), overMs };
      break;
    }
    case 'periodic': {
      const periodMs = ms('period');
      if (num('high') < num('low')) {
        r.add([...path, 'high'], `must be at least low (${num('low')})`);
        return undefined;
      }
      if (periodMs !== undefined)
        profile = { profile: 'periodic', low: num('low'), high: num('high'), periodMs };
      break;
    }
    case 'spikes': {
      const everyMs = ms('every');
      const forMs = ms('for');
      const jitterMs = raw.jitter === undefined ? 0 : ms('jitter', true);
      if (num('peak') < num('base')) {
        r.add([...path, 'peak'], `must be at least base (${num('base')})`);
        return undefined;
      }
      if (everyMs === undefined || forMs === undefined || jitterMs === undefined) return undefined;
      if (forMs + jitterMs > everyMs) {
        r.add(
          [...path, 'for'],
          jitterMs > 0
            ? 'plus jitter must not exceed every (spike windows would overlap)'
            : 'must not exceed every (spike windows would overlap)',
        );
        return undefined;
      }
      profile = {
        profile: 'spikes',
        base: num('base'),
        peak: num('peak'),
        everyMs,
        forMs,
        ...(jitterMs > 0 ? { jitterMs } : {}),
      };
      break;
    }
  }
  return profile;
}

function faultItems(r: Reporter, items: Record<string, unknown>[]): Timed<Fault>[] {
  const out: Timed<Fault>[] = [];
  items.forEach((item, i) => {
    const path: Path = ['faults', i];
    const at = duration(r, [...path, 'at'], item.at);
    const key = exactlyOne(r, path, item, FAULT_KEYS, 'fault');
    if (at === undefined || key === undefined) return;
    const line = r.position(path).line;
    if (key === 'agent-loss') {
      out.push({ at, line, item: { kind: 'agent-loss', hostname: item['agent-loss'] as string } });
    } else {
      const spec = item['master-failover'] as { down?: unknown };
      const down =
        spec.down === undefined ? 10_000 : duration(r, [...path, 'master-failover', 'down'], spec.down);
      if (down !== undefined) out.push({ at, line, item: { kind: 'master-failover', downMs: down } });
    }
  });
  return out
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.at - b.f.at || a.i - b.i)
    .map((x) => x.f);
}

function checkHostnames(
  r: Reporter,
  hostnames: Set<string>,
  pools: readonly ScenarioPool[],
  raw: Record<string, unknown>,
): void {
  const known = [...hostnames].slice(0, 8).join(', ') + (hostnames.size > 8 ? ', …' : '');
  // A pool's nodes are <pool>-<n>; which ones exist depends on the run.
  const poolNode = (name: string) =>
    pools.some((p) => new RegExp(`^${escapeRegExp(p.name)}-[1-9]\\d*$`).test(name));
  const check = (section: string, items: unknown[], key: string) => {
    items.forEach((item, i) => {
      if (!isRecord(item)) return;
      const name = item[key];
      if (typeof name === 'string' && !hostnames.has(name) && !poolNode(name)) {
        r.add([section, i, key], `no agent is named "${name}" (agents are named <group>-<n>: ${known})`);
      }
    });
  };
  const w = (raw.workload as unknown[] | undefined) ?? [];
  for (const key of ['hold', 'unhold', 'vacate']) check('workload', w, key);
  check('faults', (raw.faults as unknown[] | undefined) ?? [], 'agent-loss');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
