import { round3 } from '../model/resources.ts';
import {
  type Plan,
  type PlanAgent,
  type PlanTask,
  planReshuffle,
  STRATEGIES,
  type StrategyName,
} from '../reshuffle/planner.ts';
import type { Out } from './commands.ts';
import { resubmittedSpec } from './intelligence.ts';
import { killTask, sendKill } from './kill.ts';
import { resubmitCopy } from './reshuffle.ts';
import type { MoveInFlight, SchedulerState } from './state.ts';
import { setTimer } from './timers.ts';

/**
 * Applying a planned reshuffle: the plan is recorded first (a dry run stops there), then applied
 * one wave at a time. In a wave, a reserve-first move places the replacement on its destination
 * (pinned there) and kills the old copy only once the replacement runs; a kill-first move kills
 * the old copy and places the replacement when the room is free. The next wave starts when every
 * replacement of this one runs and every old copy has ended. A replacement that ends, or a wave
 * that does not complete within `reshuffleWaveTimeoutMs`, stops the reshuffle: replacements not
 * yet placed are withdrawn and their old copies keep running.
 */

export function isPlannedStrategy(name: string): name is Exclude<StrategyName, 'charmander'> {
  return name !== 'charmander' && (STRATEGIES as readonly string[]).includes(name);
}

/** The cluster as the planner sees it: running tasks (right-sized as they would be resubmitted) and agents. */
export function planFor(state: SchedulerState, strategy: StrategyName): Plan {
  const tasks: PlanTask[] = [];
  for (const t of state.tasks.values()) {
    if (t.phase !== 'running' || t.killRequested !== undefined || t.agentId === undefined) continue;
    if (!state.agents.has(t.agentId)) continue;
    const peak = state.intelligence.get(t.specId)?.peakMemMb;
    tasks.push({
      id: t.id,
      specId: t.specId,
      spec: t.spec,
      agentId: t.agentId,
      need: t.need,
      sizedMem: round3(resubmittedSpec(state, t).mem),
      ...(peak !== undefined ? { observedMem: peak } : {}),
    });
  }
  const agents: PlanAgent[] = [...state.agents.values()].map((a) => ({
    id: a.id,
    hostname: a.hostname,
    attributes: a.attributes,
    capacity: a.capacity,
    free: {
      cpus: round3(Math.max(0, a.capacity.cpus - a.used.cpus)),
      mem: round3(Math.max(0, a.capacity.mem - a.used.mem)),
      disk: round3(Math.max(0, a.capacity.disk - a.used.disk)),
      ports: a.lastFree.ports,
    },
    held: a.held,
    firstSeenAt: a.firstSeenAt,
  }));
  return planReshuffle(
    {
      tasks,
      agents,
      pipeline: state.pipeline,
      budgets: {
        maxConcurrentMoves: state.config.reshuffleMaxConcurrentMoves,
        minRunningPerFamily: state.config.reshuffleMinRunning,
      },
    },
    strategy,
  );
}

/** Plans (and unless it is a dry run, starts) a planned reshuffle. */
export function plannedReshuffle(
  state: SchedulerState,
  strategy: Exclude<StrategyName, 'charmander'>,
  dryRun: boolean,
  now: number,
  out: Out,
): Plan {
  const plan = planFor(state, strategy);
  out.record({ type: 'reshuffle-plan', strategy, dryRun, plan });
  if (dryRun) return plan;
  if (state.reshuffleRun) finish(state, false, 'replaced by a new reshuffle', out);
  state.reshuffleRun = { strategy, waves: plan.waves, wave: -1, inFlight: [], moved: [] };
  nextWave(state, now, out);
  return plan;
}

function nextWave(state: SchedulerState, now: number, out: Out): void {
  const run = state.reshuffleRun;
  if (!run) return;
  run.wave++;
  run.inFlight = [];
  const wave = run.waves[run.wave];
  if (wave === undefined) {
    finish(state, true, undefined, out);
    return;
  }
  for (const move of wave) {
    const old = state.tasks.get(move.task);
    if (!old || old.phase !== 'running' || old.killRequested !== undefined) continue;
    const replacement = resubmitCopy(state, old, move.to, now, out);
    const flight: MoveInFlight = { move, replacement: replacement.id, killed: false };
    if (move.order === 'kill-first') {
      sendKill(state, old, 'reshuffle', now, out);
      flight.killed = true;
    }
    run.inFlight.push(flight);
    run.moved.push(old.id);
  }
  setTimer(state, 'reshuffle-wave', now + state.config.reshuffleWaveTimeoutMs, out);
  if (run.inFlight.length === 0) nextWave(state, now, out);
}

/** After every input: kill old copies whose replacement runs, move on when the wave is done. */
export function advanceReshuffle(state: SchedulerState, now: number, out: Out): void {
  const run = state.reshuffleRun;
  if (!run) return;
  let done = true;
  for (const f of run.inFlight) {
    const replacement = state.tasks.get(f.replacement);
    if (!replacement || replacement.phase === 'done') {
      stop(
        state,
        `replacement ${f.replacement} of ${f.move.task} ended (${replacement?.state ?? 'gone'})`,
        now,
        out,
      );
      return;
    }
    if (replacement.phase !== 'running') {
      done = false;
      continue;
    }
    const old = state.tasks.get(f.move.task);
    if (!f.killed && old && old.phase !== 'done') {
      sendKill(state, old, 'reshuffle', now, out);
      f.killed = true;
    }
    if (old && old.phase !== 'done') done = false;
  }
  if (done) nextWave(state, now, out);
}

/** The wave took too long. */
export function reshuffleWaveTimeout(state: SchedulerState, now: number, out: Out): void {
  if (!state.reshuffleRun) return;
  stop(
    state,
    `wave ${state.reshuffleRun.wave + 1} did not complete in ${state.config.reshuffleWaveTimeoutMs / 1000} s`,
    now,
    out,
  );
}

function stop(state: SchedulerState, reason: string, now: number, out: Out): void {
  const run = state.reshuffleRun;
  if (!run) return;
  const withdrawn = new Set<string>();
  for (const f of run.inFlight) {
    const replacement = state.tasks.get(f.replacement);
    if (f.killed) continue; // the old copy is going: its replacement must stay
    if (replacement?.phase === 'pending') killTask(state, replacement, 'reshuffle', now, out);
    withdrawn.add(f.replacement);
  }
  // A failed replacement may already have been relaunched; the old copy stays, so that goes too.
  for (const task of [...state.pending.values()]) {
    if (task.previous !== undefined && withdrawn.has(task.previous))
      killTask(state, task, 'reshuffle', now, out);
  }
  finish(state, false, reason, out);
}

function finish(state: SchedulerState, complete: boolean, reason: string | undefined, out: Out): void {
  const run = state.reshuffleRun;
  if (!run) return;
  delete state.reshuffleRun;
  setTimer(state, 'reshuffle-wave', Number.POSITIVE_INFINITY, out);
  out.record({
    type: 'reshuffle-finished',
    strategy: run.strategy,
    moved: run.moved,
    complete,
    ...(reason !== undefined ? { reason } : {}),
  });
}
