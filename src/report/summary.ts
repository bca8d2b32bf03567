import { formatDuration } from '../scenario/duration.ts';
import { INVARIANTS } from '../trace/invariants.ts';
import { type Paint, percent, seconds } from './format.ts';
import { type JobReport, OUTCOMES, type Outcome, type PoolReport, type ReshuffleReport } from './metrics.ts';
import { type RunResult, runPassed } from './run-result.ts';
import { formatTable } from './table.ts';

const LABEL = 13;

function row(label: string, text: string): string {
  return `${label.padEnd(LABEL)}${text}`;
}

/** The human summary of one run: readable at a glance, every figure from the run itself. */
export function formatSummary(r: RunResult, wallMs: number, p: Paint, masters?: readonly string[]): string {
  const m = r.metrics;
  const out: string[] = [];
  const where =
    r.transport === 'sim'
      ? `${formatDuration(m.durationMs)} simulated in ${seconds(wallMs)} (${r.events.toLocaleString('en-US')} events)`
      : `${formatDuration(m.durationMs)} live against ${masters?.join(',') ?? 'Mesos'} in ${seconds(wallMs)}`;
  out.push(
    p.bold(`${r.scenario.name}`) +
      p.dim(`  ·  seed ${r.seed}  ·  ${r.policy.placement} / ${r.policy.reshuffle}  ·  ${where}`),
  );
  out.push('');

  const shown: Outcome[] = OUTCOMES.filter((o) => o === 'running' || o === 'pending' || m.tasks[o] > 0);
  const rows = [...m.bySpec.entries()].map(([id, c]) => [
    id,
    c.sla ?? '-',
    ...shown.map((o) => String(c[o])),
  ]);
  rows.push(['total', '', ...shown.map((o) => String(m.tasks[o]))]);
  out.push(formatTable(['task', 'sla', ...shown], rows));
  out.push('');

  out.push(
    row(
      'latency',
      m.latency.count > 0
        ? `submit → running  p50 ${seconds(m.latency.p50)}  p99 ${seconds(m.latency.p99)}  (${m.latency.count} tasks)`
        : 'no task reached TASK_RUNNING',
    ),
  );
  const q = m.queueWait;
  out.push(
    row(
      'queue wait',
      q.count > 0
        ? `submit → launch  p50 ${seconds(q.p50)}  p95 ${seconds(q.p95)}  max ${seconds(q.max)}  (${q.count} launched, ${q.stillQueued} still queued)`
        : `no task was launched (${q.stillQueued} still queued)`,
    ),
  );
  out.push(
    row(
      'allocation',
      `cpus ${percent(m.meanCpuAllocation)}  mem ${percent(m.meanMemAllocation)}  (time-weighted mean of the cluster)`,
    ),
  );
  out.push(
    row(
      'agents',
      `${m.agents.present} at the end (${m.agents.empty} empty), ${m.agents.added} seen, ${m.agents.removed} removed`,
    ),
  );
  const pooled = Object.entries(m.agentHours.byPool).map(([pool, h]) => `, ${pool} pool ${hours(h)}`);
  out.push(row('agent-hours', `${hours(m.agentHours.total)} in total${pooled.join('')}`));
  const activity = [`${m.kills} kills`, `${m.relaunches} relaunches`, `${m.reshuffled} reshuffled`];
  if (m.disconnections > 0)
    activity.push(`${m.disconnections} disconnections, ${m.subscriptions} subscriptions`);
  out.push(row('activity', activity.join(', ')));
  for (const rs of m.reshuffles) out.push(...reshuffleRows(rs));
  for (const [id, job] of Object.entries(m.jobs)) out.push(row('job', jobText(id, job)));
  for (const [name, pool] of Object.entries(m.pools)) out.push(row('pool', poolText(name, pool)));
  for (const msg of m.rejected) out.push(row('rejected', p.bad(msg)));
  for (const msg of m.gaveUp) out.push(row('gave up', p.bad(msg)));
  out.push('');

  if (r.pending.length === 0) {
    out.push(row('pending', 'none'));
  } else {
    out.push(row('pending', `${m.tasks.pending} task${m.tasks.pending === 1 ? '' : 's'} waiting:`));
    for (const t of r.pending.slice(0, 10)) out.push(`  ${t.task}  ${p.dim(t.why)}`);
    if (r.pending.length > 10) out.push(p.dim(`  … and ${r.pending.length - 10} more (see --json)`));
  }
  out.push('');

  const firsts = new Map<string, (typeof r.violations)[number]>();
  for (const v of r.violations) if (!firsts.has(v.invariant)) firsts.set(v.invariant, v);
  out.push(
    row(
      'invariants',
      INVARIANTS.map((name) => (firsts.has(name) ? p.bad(`✗ ${name}`) : p.ok(`✓ ${name}`))).join('  '),
    ),
  );
  for (const v of firsts.values()) {
    out.push(p.bad(`  ✗ ${v.invariant} at trace line ${v.lineNumber}: ${v.message}`));
    out.push(p.dim(`    ${v.line.length > 200 ? `${v.line.slice(0, 200)}…` : v.line}`));
  }
  if (r.expectations.length === 0) {
    out.push(row('expect', p.dim('nothing (the scenario has no expect section)')));
  } else {
    const parts = r.expectations.map((e) =>
      e.ok
        ? p.ok(`✓ ${e.kind} ${e.id} = ${e.expected}`)
        : p.bad(`✗ ${e.kind} ${e.id} = ${e.actual} (expected ${e.expected})`),
    );
    out.push(row('expect', parts.join('   ')));
  }
  if (r.fatal !== undefined) out.push(row('fatal', p.bad(r.fatal)));
  out.push('');
  out.push(row('digest', r.digest));
  out.push(row('result', runPassed(r) ? p.ok('PASS') : p.bad('FAIL')));
  return out.join('\n');
}

/** A reshuffle in the summary: what it planned, then what it freed and what it cost. */
function reshuffleRows(rs: ReshuffleReport): string[] {
  const lines: string[] = [];
  const when = `at ${formatDuration(rs.at)}, ${rs.strategy}${rs.dryRun ? ' (dry run)' : ''}`;
  if (rs.plan) {
    const pl = rs.plan;
    lines.push(
      row(
        'reshuffle',
        `${when}: plan ${pl.moves} move${pl.moves === 1 ? '' : 's'} in ${pl.waves} wave${pl.waves === 1 ? '' : 's'}, expected free mem ${mb(pl.freeMemBefore)} → ${mb(pl.freeMemAfter)}, ${pl.agentsEmptied} agent${pl.agentsEmptied === 1 ? '' : 's'} emptied`,
      ),
    );
  } else {
    lines.push(row('reshuffle', when));
  }
  if (!rs.dryRun) {
    const outcome = rs.complete === false ? ` — stopped: ${rs.reason ?? 'unknown'}` : '';
    lines.push(
      row(
        '',
        `unallocated mem ${mb(rs.unallocatedMemBefore)} → ${mb(rs.unallocatedMemAfter)} at the end, agents with no work ${rs.idleAgentsBefore} → ${rs.idleAgentsAfter}, ${rs.killed} killed, ${rs.memoryLimitKillsAfter} memory-limit kills after${outcome}`,
      ),
    );
  }
  return lines;
}

/** A job in the summary: where it is, what its copies did, and how many ran at once. */
function jobText(id: string, j: JobReport): string {
  return `${id}: ${j.status}, ${j.succeeded} succeeded / ${j.failed} failed of ${j.started} started, ${plural(j.waves, 'wave')}, max running ${j.maxRunning} of ${j.maxtasks}`;
}

/** A pool in the summary: its size, and the nodes it made and unmade. */
function poolText(name: string, pl: PoolReport): string {
  return `${name}: ${plural(pl.size, 'node')} at the end (peak ${pl.peak}), ${pl.provisioned} provisioned, ${pl.destroyed} destroyed, ${plural(pl.errors, 'error')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Hours with a sensible precision: 0.083 h, 2.50 h, 31.3 h. */
function hours(h: number): string {
  if (h < 1) return `${h.toFixed(3)} h`;
  if (h < 100) return `${h.toFixed(2)} h`;
  return `${h.toFixed(1)} h`;
}

function mb(n: number): string {
  return `${Math.round(n)} MB`;
}
