/**
 * Charmander task configurations (DESIGN ◆2.2): parsing, validation and normalisation.
 *
 * Accepted verbatim from scenario files and from `POST /client/task`. Numbers may arrive as JSON
 * numbers or as numeric strings (`"mem": "100"`, the way Charmander clients send them); anything
 * else is rejected with an error that names the field.
 */

export type Sla = 'one-per-node' | 'singleton';
export type NetworkMode = 'bridge' | 'host' | 'none';

export interface PortMappingSpec {
  host_port: number;
  container_port: number;
}

export interface VolumeSpec {
  host_path: string;
  container_path: string;
  mode: 'ro' | 'rw';
}

/** A normalised task spec: numbers are numbers, defaults are filled in. */
export interface TaskSpec {
  id: string;
  dockerimage: string;
  mem: number;
  cpus: number;
  disk?: number;
  sla?: Sla;
  nodetype?: string;
  nodename?: string;
  notmetered?: boolean;
  reshuffleable?: boolean;
  ports?: PortMappingSpec[];
  volumes?: VolumeSpec[];
  networkmode?: NetworkMode;
  arguments?: string[];
  /**
   * A shell command to run instead of the image's entrypoint with `arguments` (mesos-http-scheduler's
   * `-cmd`); the two are exclusive.
   */
  cmd?: string;
}

/** One validation problem: a JSON pointer to the field and what was expected. */
export interface FieldError {
  path: string;
  message: string;
}

export type SpecResult = { ok: true; spec: TaskSpec } | { ok: false; errors: FieldError[] };

export const DEFAULT_CPUS = 0.1;
/** Longest spec id: leaves room for the `-<suffix>` within Mesos' 255-character task id limit. */
export const MAX_ID_LENGTH = 200;

/** Every field a task spec may have. */
export const TASK_SPEC_FIELDS = [
  'id',
  'dockerimage',
  'mem',
  'cpus',
  'disk',
  'sla',
  'nodetype',
  'nodename',
  'notmetered',
  'reshuffleable',
  'ports',
  'volumes',
  'networkmode',
  'arguments',
  'cmd',
] as const;

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Reads a JSON number or numeric string; returns undefined when it is neither. */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a Mesos task-id-like name, or undefined when it is usable. */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  if (id === '.' || id === '..') return 'must not be "." or ".."';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[/\\\s\u0000-\u001f\u007f]/.test(id))
    return 'must not contain "/", "\\", spaces or control characters';
  return undefined;
}

class Collector {
  readonly errors: FieldError[] = [];
  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }
}

function num(
  c: Collector,
  raw: Record<string, unknown>,
  field: string,
  opts: { min: number; exclusive: boolean; integer?: boolean; max?: number },
  path = `/${field}`,
  label = field,
): number | undefined {
  const value = raw[field];
  const n = readNumber(value);
  const bound = opts.exclusive ? `greater than ${opts.min}` : `at least ${opts.min}`;
  const kind = opts.integer ? 'a whole number' : 'a number';
  const range = opts.max === undefined ? bound : `from ${opts.min} to ${opts.max}`;
  const expected = `${label} must be ${kind} ${range} (a JSON number or a numeric string), got ${describe(value)}`;
  if (n === undefined) {
    c.add(path, expected);
    return undefined;
  }
  if ((opts.exclusive ? n <= opts.min : n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    c.add(path, expected);
    return undefined;
  }
  if (opts.integer && !Number.isInteger(n)) {
    c.add(path, expected);
    return undefined;
  }
  return n;
}

function str(c: Collector, value: unknown, path: string, label: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0) {
    c.add(path, `${label} must be a non-empty string, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function bool(c: Collector, value: unknown, path: string, label: string): boolean | undefined {
  if (typeof value !== 'boolean') {
    c.add(path, `${label} must be true or false, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function parsePorts(c: Collector, value: unknown): PortMappingSpec[] | undefined {
  if (!Array.isArray(value)) {
    c.add('/ports', `ports must be an array of {host_port, container_port}, got ${describe(value)}`);
    return undefined;
  }
  const out: PortMappingSpec[] = [];
  const seen = new Set<number>();
  value.forEach((entry, i) => {
    const path = `/ports/${i}`;
    if (!isPlainObject(entry)) {
      c.add(path, `ports[${i}] must be an object {host_port, container_port}, got ${describe(entry)}`);
      return;
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'host_port' && key !== 'container_port') {
        c.add(
          `${path}/${key}`,
          `ports[${i}] has an unknown field "${key}" (expected host_port, container_port)`,
        );
      }
    }
    const portOpts = { min: 1, max: 65535, exclusive: false, integer: true };
    const host = num(c, entry, 'host_port', portOpts, `${path}/host_port`, `ports[${i}].host_port`);
    const container = num(
      c,
      entry,
      'container_port',
      portOpts,
      `${path}/container_port`,
      `ports[${i}].container_port`,
    );
    if (host !== undefined && seen.has(host)) {
      c.add(`${path}/host_port`, `ports[${i}].host_port ${host} is listed twice`);
    }
    if (host !== undefined) seen.add(host);
    if (host !== undefined && container !== undefined)
      out.push({ host_port: host, container_port: container });
  });
  return out;
}

function parseVolumes(c: Collector, value: unknown): VolumeSpec[] | undefined {
  if (!Array.isArray(value)) {
    c.add(
      '/volumes',
      `volumes must be an array of {host_path, container_path, mode}, got ${describe(value)}`,
    );
    return undefined;
  }
  const out: VolumeSpec[] = [];
  value.forEach((entry, i) => {
    const path = `/volumes/${i}`;
    if (!isPlainObject(entry)) {
      c.add(
        path,
        `volumes[${i}] must be an object {host_path, container_path, mode}, got ${describe(entry)}`,
      );
      return;
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'host_path' && key !== 'container_path' && key !== 'mode') {
        c.add(
          `${path}/${key}`,
          `volumes[${i}] has an unknown field "${key}" (expected host_path, container_path, mode)`,
        );
      }
    }
    const host = str(c, entry.host_path, `${path}/host_path`, `volumes[${i}].host_path`);
    const container = str(c, entry.container_path, `${path}/container_path`, `volumes[${i}].container_path`);
    const mode = entry.mode;
    if (mode !== 'ro' && mode !== 'rw') {
      c.add(`${path}/mode`, `volumes[${i}].mode must be "ro" or "rw", got ${describe(mode)}`);
      return;
    }
    if (host !== undefined && container !== undefined)
      out.push({ host_path: host, container_path: container, mode });
  });
  return out;
}

/**
 * Validates and normalises a raw task configuration. On success the spec has numbers as numbers,
 * `cpus` defaulted to 0.1 and keys in a fixed order (the order of `TaskSpec`).
 */
export function parseTaskSpec(raw: unknown): SpecResult {
  const c = new Collector();
  if (!isPlainObject(raw)) {
    return {
      ok: false,
      errors: [{ path: '', message: `a task must be a JSON object, got ${describe(raw)}` }],
    };
  }
  for (const key of Object.keys(raw)) {
    if (!(TASK_SPEC_FIELDS as readonly string[]).includes(key)) {
      c.add(`/${key}`, `unknown field "${key}" (known fields: ${TASK_SPEC_FIELDS.join(', ')})`);
    }
  }

  let id: string | undefined;
  if (raw.id === undefined) c.add('/id', 'id is required');
  else if (typeof raw.id !== 'string') c.add('/id', `id must be a string, got ${describe(raw.id)}`);
  else {
    const problem = idProblem(raw.id);
    if (problem) c.add('/id', `id ${problem}`);
    else id = raw.id;
  }

  let dockerimage: string | undefined;
  if (raw.dockerimage === undefined) c.add('/dockerimage', 'dockerimage is required');
  else dockerimage = str(c, raw.dockerimage, '/dockerimage', 'dockerimage');

  let mem: number | undefined;
  if (raw.mem === undefined) c.add('/mem', 'mem is required (MB, greater than 0)');
  else mem = num(c, raw, 'mem', { min: 0, exclusive: true });

  const cpus = raw.cpus === undefined ? DEFAULT_CPUS : num(c, raw, 'cpus', { min: 0, exclusive: true });
  const disk = raw.disk === undefined ? undefined : num(c, raw, 'disk', { min: 0, exclusive: false });

  let sla: Sla | undefined;
  if (raw.sla !== undefined) {
    if (raw.sla === 'one-per-node' || raw.sla === 'singleton') sla = raw.sla;
    else c.add('/sla', `sla must be "one-per-node" or "singleton", got ${describe(raw.sla)}`);
  }
  const nodetype = raw.nodetype === undefined ? undefined : str(c, raw.nodetype, '/nodetype', 'nodetype');
  const nodename = raw.nodename === undefined ? undefined : str(c, raw.nodename, '/nodename', 'nodename');
  const notmetered =
    raw.notmetered === undefined ? undefined : bool(c, raw.notmetered, '/notmetered', 'notmetered');
  const reshuffleable =
    raw.reshuffleable === undefined
      ? undefined
      : bool(c, raw.reshuffleable, '/reshuffleable', 'reshuffleable');
  const ports = raw.ports === undefined ? undefined : parsePorts(c, raw.ports);
  const volumes = raw.volumes === undefined ? undefined : parseVolumes(c, raw.volumes);

  let networkmode: NetworkMode | undefined;
  if (raw.networkmode !== undefined) {
    if (raw.networkmode === 'bridge' || raw.networkmode === 'host' || raw.networkmode === 'none') {
      networkmode = raw.networkmode;
    } else {
      c.add(
        '/networkmode',
        `networkmode must be "bridge", "host" or "none", got ${describe(raw.networkmode)}`,
      );
    }
  }
  if (networkmode !== undefined && networkmode !== 'bridge' && ports && ports.length > 0) {
    c.add('/networkmode', `ports map container ports and need networkmode "bridge", got "${networkmode}"`);
  }

  let args: string[] | undefined;
  if (raw.arguments !== undefined) {
    if (!Array.isArray(raw.arguments)) {
      c.add('/arguments', `arguments must be an array of strings, got ${describe(raw.arguments)}`);
    } else {
      args = [];
      raw.arguments.forEach((a, i) => {
        if (typeof a !== 'string')
          c.add(`/arguments/${i}`, `arguments[${i}] must be a string, got ${describe(a)}`);
        else args?.push(a);
      });
    }
  }

  let cmd: string | undefined;
  if (raw.cmd !== undefined) {
    cmd = str(c, raw.cmd, '/cmd', 'cmd');
    if (cmd !== undefined && cmd.trim() === '') c.add('/cmd', 'cmd must not be empty');
    if (raw.arguments !== undefined)
      c.add('/cmd', 'cmd (a shell command) and arguments (for the image entrypoint) cannot be used together');
  }

  if (
    c.errors.length > 0 ||
    id === undefined ||
    dockerimage === undefined ||
    mem === undefined ||
    cpus === undefined
  ) {
    return { ok: false, errors: c.errors };
  }
  const spec: TaskSpec = { id, dockerimage, mem, cpus };
  if (disk !== undefined) spec.disk = disk;
  if (sla !== undefined) spec.sla = sla;
  if (nodetype !== undefined) spec.nodetype = nodetype;
  if (nodename !== undefined) spec.nodename = nodename;
  if (notmetered !== undefined) spec.notmetered = notmetered;
  if (reshuffleable !== undefined) spec.reshuffleable = reshuffleable;
  if (ports !== undefined) spec.ports = ports;
  if (volumes !== undefined) spec.volumes = volumes;
  if (networkmode !== undefined) spec.networkmode = networkmode;
  if (args !== undefined) spec.arguments = args;
  if (cmd !== undefined) spec.cmd = cmd;
  return { ok: true, spec };
}

/** Formats errors as one line: "mem must be …; cpus must be …". */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => e.message).join('; ');
}
