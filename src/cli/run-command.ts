import { writeFileSync } from 'node:fs';
import { parseMasters } from '../mesos-http/masters.ts';
import { paint, useColor } from '../report/format.ts';
import { resultToJson } from '../report/json.ts';
import { type RunResult, runPassed } from '../report/run-result.ts';
import { formatSummary } from '../report/summary.ts';
import { type LiveOptions, runLive } from '../run/live.ts';
import { simulate } from '../run/simulate.ts';
import { formatDuration } from '../scenario/duration.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { readCredentials } from './credentials.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseSeed, resolvePolicy } from './policies.ts';
import { Progress } from './progress.ts';

export interface RunCommandOptions {
  seed?: string;
  policy?: string;
  trace?: string;
  json?: string;
  transport: string;
  master?: string;
  contentType?: string;
  principal?: string;
  secretFile?: string;
  speed?: string;
  teardown?: boolean;
  quiet?: boolean;
}

/** Output path for one of several scenarios: `out.jsonl` → `out.<name>.jsonl`. */
function perScenario(path: string, name: string, many: boolean): string {
  if (!many) return path;
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? `${path.slice(0, dot)}.${name}${path.slice(dot)}` : `${path}.${name}`;
}

export function parseSpeed(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n))
    throw new UsageError(`--speed must be a number greater than 0, got "${text}"`);
  return n;
}

/** Settings of a live run from the flags: masters, wire format, credentials, speed, teardown. */
function liveSettings(opts: RunCommandOptions): LiveOptions {
  if (opts.master === undefined)
    throw new UsageError('--transport=http needs --master host:port[,host:port…]');
  let masters: string[];
  try {
    masters = parseMasters(opts.master);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const format = opts.contentType ?? 'json';
  if (format !== 'json' && format !== 'protobuf') {
    throw new UsageError(`--content-type must be json or protobuf, got "${format}"`);
  }
  const credentials = readCredentials({
    ...(opts.principal !== undefined ? { principal: opts.principal } : {}),
    ...(opts.secretFile !== undefined ? { secretFile: opts.secretFile } : {}),
  });
  return {
    masters,
    format,
    speed: parseSpeed(opts.speed),
    teardown: opts.teardown !== false,
    ...(credentials ? { credentials } : {}),
    ...(process.env.OFFERLAB_DEBUG
      ? { log: (line: string) => process.stderr.write(`offerlab: ${line}\n`) }
      : {}),
  };
}

/** A live run that Ctrl-C ends cleanly: the framework is torn down (unless --no-teardown) and reported. */
async function runInterruptibly(
  scenario: Parameters<typeof runLive>[0],
  opts: LiveOptions,
): Promise<RunResult> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runLive(scenario, { ...opts, signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `offerlab run FILE…`: runs each scenario, prints its summary, returns the exit code. */
export async function runCommand(files: readonly string[], opts: RunCommandOptions): Promise<number> {
  if (opts.transport !== 'sim' && opts.transport !== 'http') {
    throw new UsageError(`--transport must be sim or http, got "${opts.transport}"`);
  }
  const live = opts.transport === 'http' ? liveSettings(opts) : undefined;
  if (!live && opts.speed !== undefined) throw new UsageError('--speed applies to --transport=http only');
  const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
  const policy = opts.policy === undefined ? undefined : resolvePolicy(opts.policy);
  const scenarios = files.map((f) => loadScenarioFile(f));
  const p = paint(useColor(process.stdout));
  let exit: number = EXIT.ok;
  const results: RunResult[] = [];
  for (const scenario of scenarios) {
    const many = scenarios.length > 1;
    const progress = new Progress(`${live ? 'running' : 'simulating'} ${scenario.name}`);
    const started = performance.now();
    const common = {
      ...(seed !== undefined ? { seed } : {}),
      ...(policy?.placement !== undefined ? { placement: policy.placement } : {}),
      ...(policy?.reshuffle !== undefined ? { reshuffle: policy.reshuffle } : {}),
      ...(policy?.sizing !== undefined ? { sizing: policy.sizing } : {}),
      ...(opts.trace !== undefined ? { tracePath: perScenario(opts.trace, scenario.name, many) } : {}),
      onProgress: (t: number, total: number) => progress.update(t, total, formatDuration(t)),
    };
    const result = live
      ? await runInterruptibly(scenario, { ...common, ...live })
      : simulate(scenario, common);
    progress.stop();
    const wallMs = performance.now() - started;
    results.push(result);
    if (!opts.quiet) {
      if (results.length > 1) process.stdout.write('\n');
      process.stdout.write(`${formatSummary(result, wallMs, p, live?.masters)}\n`);
    }
    if (opts.json !== undefined) {
      writeFileSync(
        perScenario(opts.json, scenario.name, many),
        `${JSON.stringify(resultToJson(result, wallMs), null, 2)}\n`,
      );
    }
    if (!runPassed(result)) exit = EXIT.failed;
  }
  return exit;
}
