import { Command, type Option, type ParseOptionsResult } from 'commander';
import { parseJobSpec } from '../core/spec/job-spec.ts';
import type { FieldError } from '../core/spec/task-spec.ts';
import { parseMasters } from '../mesos-http/masters.ts';
import { type EtlEnd, type EtlOptions, EtlRun, type HealthServer, serveHealth } from '../run/etl.ts';
import { readCredentials } from './credentials.ts';
import { EXIT, UsageError } from './errors.ts';
import { integer } from './fake-master-command.ts';

export interface EtlCommandOptions {
  master?: string;
  cmd?: string;
  img?: string;
  cpu: string;
  mem: string;
  maxtasks?: string;
  wait?: string;
  total?: string;
  id: string;
  user: string;
  debug?: boolean;
  port: string;
  host: string;
  trace?: string;
  contentType: string;
  principal?: string;
  secretFile?: string;
  teardown?: boolean;
}

/** The job field behind each flag, to name the flag in parseJobSpec's errors. */
const FLAG_OF_FIELD: Record<string, string> = {
  id: '--id',
  dockerimage: '--img',
  cmd: '--cmd',
  cpus: '--cpu',
  mem: '--mem',
  maxtasks: '--maxtasks',
  wait: '--wait',
  total: '--total',
};

/** parseJobSpec's errors in the flags' words, as one line. */
export function describeJobErrors(errors: readonly FieldError[]): string {
  return errors
    .map((e) => {
      const field = e.path.split('/')[1] ?? '';
      const flag = FLAG_OF_FIELD[field];
      const message = e.message.replace(' (a JSON number or a numeric string)', '');
      if (flag === undefined) return message;
      return message.startsWith(`${field} `)
        ? `${flag}${message.slice(field.length)}`
        : `${flag}: ${message}`;
    })
    .join('; ');
}

/**
 * Go's flag package spells flags with one dash and takes `-name value` or `-name=value`
 * (mesos-http-scheduler: `-master 10.0.0.1:5050 -img busybox -maxtasks=3`). This rewrites the
 * known long flags of `options` to commander's `--name` form before commander parses; a value
 * that follows a flag is copied as it is (so `--cmd -debug` keeps "-debug" as the command), and
 * everything after `--` is left alone. Boolean flags also take Go's `-debug=true` / `-debug=false`.
 */
export function normaliseGoFlags(args: readonly string[], options: readonly Option[]): string[] {
  const byName = new Map<string, Option>();
  for (const o of options) if (o.long !== undefined) byName.set(o.long.replace(/^--(no-)?/, ''), o);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const m = /^--?([A-Za-z][\w-]*)(?:=([\s\S]*))?$/.exec(arg);
    const name = m?.[1];
    if (m === null || name === undefined) {
      out.push(arg);
      continue;
    }
    if (name === 'help' || name === 'h') {
      out.push(arg.startsWith('--') || name === 'h' ? arg : '--help');
      continue;
    }
    const option = byName.get(name) ?? byName.get(name.replace(/^no-/, ''));
    if (option === undefined) {
      out.push(arg);
      continue;
    }
    const flag = `--${name}`;
    const value = m[2];
    const takesValue = option.required || option.optional;
    if (takesValue) {
      if (value !== undefined) out.push(`${flag}=${value}`);
      else {
        out.push(flag);
        if (i + 1 < args.length) out.push(args[++i] as string);
      }
    } else if (value === undefined) out.push(flag);
    else if (/^(true|t|1)$/i.test(value)) out.push(flag);
    else if (!/^(false|f|0)$/i.test(value)) out.push(arg); // commander says what is wrong
  }
  return out;
}

/** The `etl` command: Go-style single-dash flags are rewritten before commander parses them. */
class EtlCommand extends Command {
  override parseOptions(argv: string[]): ParseOptionsResult {
    return super.parseOptions(normaliseGoFlags(argv, this.options));
  }
}

const HELP_AFTER = `
Flags may also be spelt the Go way, as mesos-http-scheduler takes them: -master 10.0.0.1:5050,
-img=busybox, -maxtasks=3, -debug (one dash, a value after a space or "=").

Copies that fail or are lost are retried (up to 3 times; a copy that still fails counts as failed,
never fatal); a leader change is followed (the framework re-subscribes with its id and reconciles).
GET / describes the job; GET /health answers 200 with {status: ok|connecting, subscribed,
framework_id, leader, job: {…}} while it runs, 503 after a fatal error. With --total the command
exits 0 once the job completed (and tears the framework down); without it, it runs until SIGINT/SIGTERM.

Example:
  offerlab etl --master 10.0.0.1:5050,10.0.0.2:5050 --img busybox --cmd "sleep 20" --maxtasks 3 --wait 30 --total 12
`;

/** Registers `offerlab etl` on the program. */
export function registerEtlCommand(program: Command): void {
  const cmd = new EtlCommand('etl');
  cmd.copyInheritedSettings(program);
  cmd
    .description(
      "mesos-http-scheduler's ETL loop: run a command as copies, maxtasks at a time, waves wait seconds apart",
    )
    .option('--master <host:port,...>', 'Mesos masters (required); the leader is found among them')
    .option('--cmd <shell command>', 'shell command every copy runs (default: the image entrypoint)')
    .option('--img <docker image>', 'Docker image every copy runs (required)')
    .option('--cpu <n>', 'cpus per copy', '0.1')
    .option('--mem <mb>', 'memory per copy in MB', '64')
    .option('--maxtasks <n>', 'copies running at once (one wave) (default: 5)')
    .option(
      '--wait <seconds>',
      'pause after a wave before the next one, in seconds or like 90s (default: 60)',
    )
    .option('--total <n>', 'copies to run in all, then exit 0 (default: run until stopped)')
    .option('--id <name>', 'job id; copies are named <id>-<number>', 'etl')
    .option('--user <name>', 'Unix user the copies run as (FrameworkInfo.user)', 'root')
    .option('--debug', "log the transport's diagnostics and every scheduler record")
    .option('--port <n>', 'port of / and /health (0 picks a free one)', '8080')
    .option('--host <address>', 'address of / and /health', '0.0.0.0')
    .option('--trace <file>', 'write the trace (JSON Lines)')
    .option('--content-type <json|protobuf>', 'Mesos API encoding', 'json')
    .option('--principal <name>', 'Mesos HTTP authentication principal (or OFFERLAB_MESOS_PRINCIPAL)')
    .option(
      '--secret-file <file>',
      'file holding the Mesos secret (or OFFERLAB_MESOS_SECRET; never on the command line)',
    )
    .option('--teardown', 'on SIGINT/SIGTERM also tear the framework down (its copies in flight are killed)')
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: EtlCommandOptions) => {
      process.exitCode = await etlCommand(opts);
    });
  program.addCommand(cmd);
}

/** Everything the flags say, validated; throws UsageError with one line. */
export function etlSettings(opts: EtlCommandOptions): EtlOptions & { port: number; host: string } {
  const problems: string[] = [];
  let masters: string[] = [];
  if (opts.master === undefined) problems.push('--master is required (host:port[,host:port…])');
  else {
    try {
      masters = parseMasters(opts.master);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const raw: Record<string, unknown> = { id: opts.id, cpus: opts.cpu, mem: opts.mem };
  if (opts.img !== undefined) raw.dockerimage = opts.img;
  if (opts.cmd !== undefined) raw.cmd = opts.cmd;
  if (opts.maxtasks !== undefined) raw.maxtasks = opts.maxtasks;
  if (opts.wait !== undefined) raw.wait = opts.wait;
  if (opts.total !== undefined) raw.total = opts.total;
  const parsed = parseJobSpec(raw);
  if (!parsed.ok) {
    const errors = parsed.errors.map((e) =>
      e.path === '/dockerimage' && opts.img === undefined
        ? { ...e, message: 'dockerimage is required (the Docker image every copy runs)' }
        : e,
    );
    problems.push(describeJobErrors(errors));
  }
  if (opts.user.trim() === '') problems.push('--user must not be empty');
  const format = opts.contentType;
  if (format !== 'json' && format !== 'protobuf')
    problems.push(`--content-type must be json or protobuf, got "${format}"`);
  let port = 0;
  try {
    port = integer(opts.port, '--port', 0, 65535);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0 || !parsed.ok) throw new UsageError(`etl: ${problems.join('; ')}`);
  const credentials = readCredentials({
    ...(opts.principal !== undefined ? { principal: opts.principal } : {}),
    ...(opts.secretFile !== undefined ? { secretFile: opts.secretFile } : {}),
  });
  return {
    masters,
    job: parsed.job,
    format: format as 'json' | 'protobuf',
    user: opts.user,
    port,
    host: opts.host,
    ...(credentials ? { credentials } : {}),
    ...(opts.trace !== undefined ? { tracePath: opts.trace } : {}),
    ...(opts.debug ? { debug: true } : {}),
  };
}

/**
 * `offerlab etl`: subscribes, submits the job and runs until it completes (with --total: exit 0),
 * a fatal error (exit 1) or SIGINT/SIGTERM (a clean close, exit 0; --teardown also tears the
 * framework down).
 */
export async function etlCommand(opts: EtlCommandOptions): Promise<number> {
  const { port, host, ...settings } = etlSettings(opts);
  const started = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] etl: ${line}\n`);
  let run: EtlRun;
  try {
    run = new EtlRun({ ...settings, log });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (settings.tracePath !== undefined && code !== undefined)
      throw new UsageError(`cannot write --trace ${settings.tracePath}: ${code}`);
    throw err;
  }
  let server: HealthServer;
  try {
    server = await serveHealth(run, host, port);
  } catch (err) {
    await run.close({ teardown: false });
    throw new UsageError(
      `cannot listen on ${host}:${opts.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const onSignal = () => run.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.write(
    [
      run.describe(),
      `etl: masters ${settings.masters.join(', ')}${settings.format === 'protobuf' ? ' (protobuf)' : ''}`,
      `etl: health on ${server.url}/health`,
      '',
    ].join('\n'),
  );
  let end: EtlEnd;
  try {
    run.start();
    end = await run.ended;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // A completed job has nothing left in Mesos: its framework goes too. Stopped: only with --teardown.
  const closed = await run.close({ teardown: end.kind === 'completed' || opts.teardown === true });
  await server.close();
  for (const v of closed.violations)
    log(`invariant ${v.invariant} violated (trace line ${v.lineNumber}): ${v.message}`);
  process.stdout.write(`${run.summary(end)}\n`);
  if (end.kind === 'fatal') {
    process.stderr.write(`offerlab: etl: ${end.message}\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}
