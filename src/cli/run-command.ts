import { writeFileSync } from 'node:fs';
import { paint, useColor } from '../report/format.ts';
import { resultToJson } from '../report/json.ts';
import { type RunResult, runPassed } from '../report/run-result.ts';
import { formatSummary } from '../report/summary.ts';
import { simulate } from '../run/simulate.ts';
import { formatDuration } from '../scenario/duration.ts';
import { loadScenarioFile } from '../scenario/load.ts';
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
  quiet?: boolean;
}

/** Output path for one of several scenarios: `out.jsonl` → `out.<name>.jsonl`. */
function perScenario(path: string, name: string, many: boolean): string {
  if (!many) return path;
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? `${path.slice(0, dot)}.${name}${path.slice(dot)}` : `${path}.${name}`;
}

/** `offerlab run FILE…`: runs each scenario, prints its summary, returns the exit code. */
export async function runCommand(files: readonly string[], opts: RunCommandOptions): Promise<number> {
  if (opts.transport !== 'sim') {
    if (opts.transport === 'http') {
      throw new UsageError(
        '--transport=http needs the Mesos HTTP transport, which is not built yet in this version',
      );
    }
    throw new UsageError(`--transport must be sim or http, got "${opts.transport}"`);
  }
  const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
  const policy = opts.policy === undefined ? undefined : resolvePolicy(opts.policy);
  const scenarios = files.map((f) => loadScenarioFile(f));
  const p = paint(useColor(process.stdout));
  let exit: number = EXIT.ok;
  const results: RunResult[] = [];
  for (const scenario of scenarios) {
    const many = scenarios.length > 1;
    const progress = new Progress(`simulating ${scenario.name}`);
    const started = performance.now();
    const result = simulate(scenario, {
      ...(seed !== undefined ? { seed } : {}),
      ...(policy?.placement !== undefined ? { placement: policy.placement } : {}),
      ...(policy?.reshuffle !== undefined ? { reshuffle: policy.reshuffle } : {}),
      ...(opts.trace !== undefined ? { tracePath: perScenario(opts.trace, scenario.name, many) } : {}),
      onProgress: (t, total) => progress.update(t, total, formatDuration(t)),
    });
    progress.stop();
    const wallMs = performance.now() - started;
    results.push(result);
    if (!opts.quiet) {
      if (results.length > 1) process.stdout.write('\n');
      process.stdout.write(`${formatSummary(result, wallMs, p)}\n`);
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
