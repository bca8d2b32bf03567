import { writeFileSync } from 'node:fs';
import { paint, useColor } from '../report/format.ts';
import { type RunResult, runPassed } from '../report/run-result.ts';
import { formatTable } from '../report/table.ts';
import { simulate } from '../run/simulate.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT } from './errors.ts';
import { type PolicyChoice, parseSeeds, resolvePolicy } from './policies.ts';
import { Progress } from './progress.ts';

export interface CompareOptions {
  policies: string;
  seeds: string;
  json?: string;
}

interface MetricDef {
  readonly label: string;
  readonly value: (r: RunResult) => number;
  readonly digits: number;
  /** Shown only when this holds for some run (reshuffle figures for scenarios that reshuffle). */
  readonly when?: (r: RunResult) => boolean;
}

const reshuffled = (r: RunResult) => r.metrics.reshuffles.some((x) => !x.dryRun);
/** The last applied reshuffle of a run. */
const lastReshuffle = (r: RunResult) => r.metrics.reshuffles.filter((x) => !x.dryRun).at(-1);

/** The figures `compare` reports for every policy, each as mean [min – max] over the seeds. */
export const COMPARE_METRICS: readonly MetricDef[] = [
  { label: 'running at end', value: (r) => r.metrics.tasks.running, digits: 1 },
  { label: 'pending at end', value: (r) => r.metrics.tasks.pending, digits: 1 },
  { label: 'finished', value: (r) => r.metrics.tasks.finished, digits: 1 },
  { label: 'failed + lost', value: (r) => r.metrics.tasks.failed + r.metrics.tasks.lost, digits: 1 },
  { label: 'latency p50 (s)', value: (r) => r.metrics.latency.p50 / 1000, digits: 2 },
  { label: 'latency p99 (s)', value: (r) => r.metrics.latency.p99 / 1000, digits: 2 },
  { label: 'queue wait p95 (s)', value: (r) => r.metrics.queueWait.p95 / 1000, digits: 2 },
  { label: 'cpu allocation %', value: (r) => r.metrics.meanCpuAllocation * 100, digits: 1 },
  { label: 'mem allocation %', value: (r) => r.metrics.meanMemAllocation * 100, digits: 1 },
  { label: 'empty agents at end', value: (r) => r.metrics.agents.empty, digits: 1 },
  { label: 'agent-hours', value: (r) => r.metrics.agentHours.total, digits: 3 },
  { label: 'kills', value: (r) => r.metrics.kills, digits: 1 },
  { label: 'relaunches', value: (r) => r.metrics.relaunches, digits: 1 },
  { label: 'invariant violations', value: (r) => r.violations.length, digits: 1 },
  {
    label: 'unallocated mem before reshuffle (MB)',
    value: (r) => lastReshuffle(r)?.unallocatedMemBefore ?? 0,
    digits: 0,
    when: reshuffled,
  },
  {
    label: 'unallocated mem at end (MB)',
    value: (r) => lastReshuffle(r)?.unallocatedMemAfter ?? 0,
    digits: 0,
    when: reshuffled,
  },
  {
    label: 'agents with no work at end',
    value: (r) => lastReshuffle(r)?.idleAgentsAfter ?? 0,
    digits: 1,
    when: reshuffled,
  },
  {
    label: 'tasks killed by reshuffle',
    value: (r) => lastReshuffle(r)?.killed ?? 0,
    digits: 1,
    when: reshuffled,
  },
  {
    label: 'memory-limit kills after reshuffle',
    value: (r) => lastReshuffle(r)?.memoryLimitKillsAfter ?? 0,
    digits: 1,
    when: reshuffled,
  },
];

export interface Stat {
  mean: number;
  min: number;
  max: number;
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: 0, min: 0, max: 0 };
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

function cell(s: Stat, digits: number): string {
  const f = (n: number) => n.toFixed(digits);
  return f(s.min) === f(s.max) ? f(s.mean) : `${f(s.mean)} [${f(s.min)} – ${f(s.max)}]`;
}

/** `offerlab compare FILE --policies a,b --seeds 1..20`: one table, one column per policy. */
export async function compareCommand(file: string, opts: CompareOptions): Promise<number> {
  const scenario = loadScenarioFile(file);
  const policies: PolicyChoice[] = opts.policies
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(resolvePolicy);
  const seeds = parseSeeds(opts.seeds);
  const progress = new Progress(`comparing ${policies.length} policies × ${seeds.length} seeds`, {
    delayMs: 300,
  });
  const total = policies.length * seeds.length;
  const runs = new Map<string, RunResult[]>();
  let done = 0;
  for (const policy of policies) {
    const list: RunResult[] = [];
    for (const seed of seeds) {
      list.push(
        simulate(scenario, {
          seed,
          ...(policy.placement !== undefined ? { placement: policy.placement } : {}),
          ...(policy.reshuffle !== undefined ? { reshuffle: policy.reshuffle } : {}),
          ...(policy.sizing !== undefined ? { sizing: policy.sizing } : {}),
        }),
      );
      progress.update(++done, total, `${policy.name} seed ${seed}`);
    }
    runs.set(policy.name, list);
  }
  progress.stop();

  const p = paint(useColor(process.stdout));
  const names = policies.map((x) => x.name);
  const rows: string[][] = [
    ['runs passed', ...names.map((n) => `${(runs.get(n) ?? []).filter(runPassed).length}/${seeds.length}`)],
  ];
  const all = [...runs.values()].flat();
  const shown = COMPARE_METRICS.filter((m) => m.when === undefined || all.some(m.when));
  for (const m of shown) {
    rows.push([m.label, ...names.map((n) => cell(stat((runs.get(n) ?? []).map(m.value)), m.digits))]);
  }
  const seedText =
    seeds.length > 1 && seeds.every((s, i) => i === 0 || s === (seeds[i - 1] as number) + 1)
      ? `${seeds[0]}..${seeds[seeds.length - 1]}`
      : seeds.join(',');
  process.stdout.write(
    `${p.bold(scenario.name)}${p.dim(`  ·  ${names.length} policies × ${seeds.length} seeds (${seedText})  ·  mean [min – max] over seeds`)}\n\n`,
  );
  process.stdout.write(`${formatTable(['metric', ...names], rows)}\n`);
  if (opts.json !== undefined) {
    const json = {
      scenario: scenario.name,
      seeds,
      policies: Object.fromEntries(
        names.map((n) => [
          n,
          {
            passed: (runs.get(n) ?? []).filter(runPassed).length,
            metrics: Object.fromEntries(shown.map((m) => [m.label, stat((runs.get(n) ?? []).map(m.value))])),
            digests: (runs.get(n) ?? []).map((r) => r.digest),
          },
        ]),
      ),
    };
    writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  const allPassed = [...runs.values()].every((list) => list.every(runPassed));
  return allPassed ? EXIT.ok : EXIT.failed;
}
