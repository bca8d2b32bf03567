import type { Event, FrameworkInfo, SubscribeCall } from '../mesos/v1.ts';
import { STRATEGIES } from '../reshuffle/planner.ts';
import { type Command, Out } from './commands.ts';
import type { StepEnv } from './env.ts';
import { wantsNewAgents } from './families.ts';
import { applyHold } from './holds.ts';
import type { Input } from './inputs.ts';
import { clearIntelligence, importIntelligence, recordUsage, setOverrides } from './intelligence.ts';
import { armJobTimers, deleteJob, isJobTimer, jobTimer, submitJob } from './jobs.ts';
import { killByPrefix, killTask, retryKills } from './kill.ts';
import { agentGone } from './lifecycle.ts';
import {
  awaitingOffers,
  forgetOffers,
  receiveOffers,
  rescindOffer,
  reviveIfWanted,
  settleOffers,
} from './offers.ts';
import { runPlacement } from './placement-cycle.ts';
import {
  advanceReshuffle,
  isPlannedStrategy,
  planFor,
  plannedReshuffle,
  reshuffleWaveTimeout,
} from './planned-reshuffle.ts';
import {
  armPoolTimer,
  checkPools,
  destroyPoolNode,
  poolLaunch,
  poolResult,
  setAutoScale,
  setPoolMode,
} from './pools.ts';
import { implicitReconcile, reconcileTimer, startReconciliation } from './reconcile.ts';
import { charmanderReshuffle } from './reshuffle.ts';
import type { SchedulerState } from './state.ts';
import { receiveUpdate, replaceUnreachable, scheduleUnreachableCheck } from './status.ts';
import { submit } from './submit.ts';
import { setTimer } from './timers.ts';

/**
 * The scheduler's one entry point: applies an input to the state and returns the commands to
 * carry out, in order. Deterministic: no I/O, no clock but `env.now`, no randomness but
 * `env.random`. For speed the state is updated in place; callers own it exclusively.
 */
export function step(state: SchedulerState, input: Input, env: StepEnv): Command[] {
  const out = new Out();
  const now = env.now;
  switch (input.type) {
    case 'connected':
      state.framework.connected = true;
      out.send(subscribeCall(state));
      break;
    case 'disconnected':
      onDisconnected(state, input.reason, out);
      break;
    case 'event':
      onEvent(state, input.event, now, out);
      break;
    case 'call-failed':
      out.record({ type: 'error', message: `${input.call} failed: ${input.message}` });
      break;
    case 'submit':
      submit(state, input, now, out);
      break;
    case 'kill':
      killByPrefix(state, input.prefix, now, out);
      break;
    case 'reshuffle':
      startReshuffle(state, input.strategy ?? state.config.reshuffle, input.dryRun === true, now, out);
      break;
    case 'hold':
      applyHold(state, input.hostname, input.held, input.reason, out);
      break;
    case 'vacate':
      vacate(state, input.hostname, now, out);
      break;
    case 'pause':
      if (state.paused !== input.paused) {
        state.paused = input.paused;
        out.record({ type: 'paused', paused: input.paused });
        if (!input.paused) wakeUp(state);
      }
      break;
    case 'timer':
      onTimer(state, input.key, now, out);
      break;
    case 'usage':
      recordUsage(state, input.samples, now, out);
      break;
    case 'intelligence-set':
      setOverrides(state, input.id, input.overrides, input.replace === true, out);
      break;
    case 'intelligence-clear':
      clearIntelligence(state, input.id, input.what ?? 'all', out);
      break;
    case 'intelligence-import':
      importIntelligence(state, input.entries, input.replace !== false, out);
      break;
    case 'job-submit':
      submitJob(state, input.job, input.labels ?? [], now, out);
      break;
    case 'job-delete':
      if (!deleteJob(state, input.id, now, out))
        out.record({ type: 'job-rejected', job: input.id, message: `no job named "${input.id}"` });
      break;
    case 'pool-launch':
      poolLaunch(state, input.pool, input.count, now, out);
      break;
    case 'pool-mode':
      setPoolMode(state, input.pool, input.action, now, out);
      break;
    case 'auto-scale':
      setAutoScale(state, input.enabled, out);
      break;
    case 'pool-destroy':
      destroyPoolNode(state, input.hostname, now, out);
      break;
    case 'pool-result':
      poolResult(state, input.action, input.hostname, input.ok, input.message, now, out);
      break;
  }
  afterInput(state, now, out);
  return out.commands;
}

/** The SUBSCRIBE call, with the framework id when offerlab has one (resubscription). */
export function subscribeCall(state: SchedulerState): SubscribeCall {
  const c = state.config;
  const info: FrameworkInfo = {
    user: c.user,
    name: c.frameworkName,
    roles: [c.role],
    failover_timeout: c.failoverTimeoutSeconds,
    checkpoint: true,
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
  };
  if (c.hostname !== undefined) info.hostname = c.hostname;
  if (c.principal !== undefined) info.principal = c.principal;
  const id = state.framework.id;
  if (id === undefined) return { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  info.id = { value: id };
  return { framework_id: { value: id }, type: 'SUBSCRIBE', subscribe: { framework_info: info } };
}

function onEvent(state: SchedulerState, event: Event, now: number, out: Out): void {
  switch (event.type) {
    case 'SUBSCRIBED':
      onSubscribed(state, event.subscribed.framework_id.value, now, out);
      if (event.subscribed.master_info !== undefined)
        state.framework.masterInfo = event.subscribed.master_info;
      break;
    case 'OFFERS':
      if (state.framework.subscribed) receiveOffers(state, event.offers.offers, now, out);
      break;
    case 'RESCIND':
      rescindOffer(state, event.rescind.offer_id.value);
      break;
    case 'UPDATE':
      receiveUpdate(state, event.update.status, now, out);
      break;
    case 'FAILURE':
      if (event.failure.agent_id !== undefined && event.failure.executor_id === undefined) {
        agentGone(state, event.failure.agent_id.value, 'agent lost (FAILURE event)', now, out);
      }
      break;
    case 'ERROR':
      onError(state, event.error.message, out);
      break;
    default:
      break;
  }
}

function onSubscribed(state: SchedulerState, frameworkId: string, now: number, out: Out): void {
  const fw = state.framework;
  const resubscribed = fw.id !== undefined;
  fw.id = frameworkId;
  fw.subscribed = true;
  fw.subscribedAt = now;
  fw.subscriptions++;
  // A (re)subscription counts as work: the scheduler takes the offers of one idle period before it
  // declines for long and suppresses, so it learns the cluster's agents (node listings, holds,
  // one-per-node) even when nothing is queued.
  fw.lastWorkAt = Math.max(fw.lastWorkAt, now);
  fw.suppressed = false;
  fw.declinedIdle = false;
  fw.reviveWanted = state.pending.size > 0 || wantsNewAgents(state);
  state.counters.subscriptions++;
  forgetOffers(state);
  state.placementDirty = true;
  out.record({ type: 'subscribed', framework: frameworkId, resubscribed });
  startReconciliation(state, now, out);
  retryKills(state, Number.POSITIVE_INFINITY, out);
  scheduleKillRetry(state, now, out);
  // Tasks restored as unreachable need their replacement timer (an unchanged state arms none).
  scheduleUnreachableCheck(state, out);
  setTimer(state, 'implicit-reconcile', now + state.config.implicitReconcileMs, out);
  // Pools are not checked while unsubscribed (agents may be stale): check them as soon as it is.
  if (state.pools.size > 0) setTimer(state, 'pools', now, out);
}

function onDisconnected(state: SchedulerState, reason: string, out: Out): void {
  const fw = state.framework;
  const was = fw.subscribed;
  fw.connected = false;
  fw.subscribed = false;
  forgetOffers(state);
  if (state.reconciliation) delete state.reconciliation;
  state.framework.awaitingOffersUntil = Number.NEGATIVE_INFINITY;
  for (const key of ['offers', 'revive', 'gather', 'idle', 'reconcile', 'implicit-reconcile']) {
    setTimer(state, key, Number.POSITIVE_INFINITY, out);
  }
  if (was) out.record({ type: 'disconnected', reason });
}

function onError(state: SchedulerState, message: string, out: Out): void {
  state.framework.subscribed = false;
  out.record({ type: 'error', message: `master sent ERROR: ${message}` });
  if (/has been removed|Framework has been removed/i.test(message)) {
    out.fatal(`the Mesos master removed framework ${state.framework.id ?? '?'}: ${message}`);
  }
}

function onTimer(state: SchedulerState, key: string, now: number, out: Out): void {
  state.timers.delete(key);
  switch (key) {
    case 'offers':
    case 'revive':
    case 'idle':
      break; // settleOffers and reviveIfWanted run after every input
    case 'relaunch':
    case 'gather':
      state.placementDirty = true;
      break;
    case 'reconcile':
      reconcileTimer(state, now, out);
      break;
    case 'implicit-reconcile':
      implicitReconcile(state, now, out);
      break;
    case 'unreachable':
      replaceUnreachable(state, now, out);
      break;
    case 'kill-retry':
      retryKills(state, now, out);
      break;
    case 'reshuffle-wave':
      reshuffleWaveTimeout(state, now, out);
      break;
    case 'pools':
      checkPools(state, now, out);
      break;
    default:
      if (isJobTimer(key)) jobTimer(state, key, now, out);
  }
}

/** Charmander's reshuffle, or a planned one; a dry run only records the plan. */
function startReshuffle(
  state: SchedulerState,
  strategy: string,
  dryRun: boolean,
  now: number,
  out: Out,
): void {
  if (isPlannedStrategy(strategy)) plannedReshuffle(state, strategy, dryRun, now, out);
  else if (strategy !== 'charmander')
    out.record({
      type: 'error',
      message: `unknown reshuffle strategy "${strategy}" (known: ${STRATEGIES.join(', ')})`,
    });
  else if (dryRun)
    out.record({ type: 'reshuffle-plan', strategy, dryRun, plan: planFor(state, 'charmander') });
  else charmanderReshuffle(state, now, out);
}

/** Kill every task on an agent (Dynamic Cluster's vacate); hold the agent first to keep it empty. */
function vacate(state: SchedulerState, hostname: string, now: number, out: Out): void {
  const agentId = state.agentsByHostname.get(hostname);
  const agent = agentId === undefined ? undefined : state.agents.get(agentId);
  if (!agent) return;
  for (const id of [...agent.taskIds].sort()) {
    const task = state.tasks.get(id);
    if (task) killTask(state, task, 'vacate', now, out);
  }
}

/** An agent or the scheduler itself may take tasks again: place what waits (a REVIVE follows if needed). */
function wakeUp(state: SchedulerState): void {
  state.placementDirty = true;
}

function scheduleKillRetry(state: SchedulerState, now: number, out: Out): void {
  let due = Number.POSITIVE_INFINITY;
  for (const task of state.tasks.values()) {
    if (task.killRequested === undefined || task.phase === 'pending' || task.phase === 'done') continue;
    due = Math.min(due, (task.killSentAt ?? now) + state.config.killRetryMs);
  }
  if (due !== Number.POSITIVE_INFINITY || state.timers.has('kill-retry'))
    setTimer(state, 'kill-retry', due, out);
}

function scheduleRelaunch(state: SchedulerState, now: number, out: Out): void {
  let due = Number.POSITIVE_INFINITY;
  for (const id of state.backingOff) {
    const task = state.pending.get(id);
    if (!task || task.notBefore <= now) {
      state.backingOff.delete(id);
      if (task) state.placementDirty = true;
      continue;
    }
    if (task.notBefore < due) due = task.notBefore;
  }
  setTimer(state, 'relaunch', due, out);
}

function afterInput(state: SchedulerState, now: number, out: Out): void {
  if (state.reshuffleRun) advanceReshuffle(state, now, out);
  if (state.jobTimersToArm) {
    state.jobTimersToArm = false;
    armJobTimers(state, out);
  }
  armPoolTimer(state, now, out);
  scheduleRelaunch(state, now, out);
  reviveIfWanted(state, now, out);
  if (state.placementDirty && !awaitingOffers(state, now)) {
    state.placementDirty = false;
    runPlacement(state, now, out);
    reviveIfWanted(state, now, out);
  }
  settleOffers(state, now, out);
  if (out.commands.some((c) => c.type === 'send' && c.call.type === 'KILL'))
    scheduleKillRetry(state, now, out);
}
