import { backoff } from './filters/backoff.ts';
import { hasOffer } from './filters/has-offer.ts';
import { heldAgent } from './filters/held-agent.ts';
import { nodename } from './filters/nodename.ts';
import { nodetype } from './filters/nodetype.ts';
import { onePerNode } from './filters/one-per-node.ts';
import { ports } from './filters/ports.ts';
import { resources } from './filters/resources.ts';
import { schedulerState } from './filters/scheduler-state.ts';
import { singleton } from './filters/singleton.ts';
import { DEFAULT_USAGE_MARGIN, usageHeadroom } from './filters/usage-headroom.ts';
import { type PlacementIndex, passes } from './index.ts';
import type {
  FilterPlugin,
  PlacementAgent,
  PlacementContext,
  PlacementTask,
  PreFilterPlugin,
  Rejection,
  ScorerPlugin,
} from './plugin.ts';
import { REASON_TEXT, type ReasonCode } from './reasons.ts';
import { binPack } from './scorers/bin-pack.ts';
import { firstFit } from './scorers/first-fit.ts';
import { spread } from './scorers/spread.ts';
import { usageAware } from './scorers/usage-aware.ts';

/** A placement pipeline: task-level checks, then per-agent filters, then one scorer. */
export interface Pipeline {
  readonly preFilters: readonly PreFilterPlugin[];
  readonly filters: readonly FilterPlugin[];
  readonly scorer: ScorerPlugin;
}

/** Pre-filters in the order they run. */
export const PRE_FILTERS: readonly PreFilterPlugin[] = [schedulerState, backoff, singleton];

/**
 * Filters in the order they run. The first one that rejects gives the agent's reason, so the
 * order goes from the most to the least fundamental: held, attributes, one-per-node, offers,
 * resources, ports.
 */
export const FILTERS: readonly FilterPlugin[] = [
  heldAgent,
  nodetype,
  nodename,
  onePerNode,
  hasOffer,
  resources,
  ports,
];

/**
 * The filters of the usage-aware pipeline, with the default margin: the standard ones, then
 * UsageHeadroom (last: a task that Mesos could not even allocate is explained by that first).
 */
export const USAGE_AWARE_FILTERS: readonly FilterPlugin[] = [...FILTERS, usageHeadroom()];

const SCORERS: readonly ScorerPlugin[] = [firstFit, binPack, spread, usageAware];

/** Names of the built-in scorers (`policy.placement`). */
export const SCORER_NAMES: readonly string[] = SCORERS.map((s) => s.name);

export function scorerByName(name: string): ScorerPlugin | undefined {
  return SCORERS.find((s) => s.name === name);
}

export { DEFAULT_USAGE_MARGIN };

/** Knobs of the built-in pipelines. */
export interface PipelineOptions {
  /**
   * usage-aware only: the share of each agent's memory kept free of observed use (at least 0,
   * below 1; default `DEFAULT_USAGE_MARGIN`, 0.1). A task goes only where its observed peak fits
   * under `capacity.mem × (1 − usageMargin)` next to what the agent is observed to use.
   */
  readonly usageMargin?: number;
}

/**
 * The standard pipeline with the named scorer. `usage-aware` also gets the UsageHeadroom filter
 * (the other scorers pack by what is requested, which the Resources filter already guards).
 */
export function pipelineFor(scorerName: string, options: PipelineOptions = {}): Pipeline {
  const scorer = scorerByName(scorerName);
  if (!scorer)
    throw new Error(`unknown placement policy "${scorerName}" (known: ${SCORER_NAMES.join(', ')})`);
  if (scorer !== usageAware) return { preFilters: PRE_FILTERS, filters: FILTERS, scorer };
  const margin = options.usageMargin ?? DEFAULT_USAGE_MARGIN;
  const filters = margin === DEFAULT_USAGE_MARGIN ? USAGE_AWARE_FILTERS : [...FILTERS, usageHeadroom(margin)];
  return { preFilters: PRE_FILTERS, filters, scorer };
}

export function preCheck(
  ctx: PlacementContext,
  task: PlacementTask,
  pipeline: Pipeline,
): Rejection | undefined {
  for (const p of pipeline.preFilters) {
    const r = p.preFilter(ctx, task);
    if (r) return r;
  }
  return undefined;
}

/** The first filter's rejection of this agent, or undefined when the agent passes them all. */
export function agentVerdict(
  ctx: PlacementContext,
  task: PlacementTask,
  agent: PlacementAgent,
  filters: readonly FilterPlugin[],
): ReasonCode | undefined {
  for (const f of filters) {
    const code = f.filter(ctx, task, agent);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Picks an agent through the index. */
export function selectAgent(
  ctx: PlacementContext,
  task: PlacementTask,
  index: PlacementIndex,
  pipeline: Pipeline,
): PlacementAgent | undefined {
  if (preCheck(ctx, task, pipeline)) return undefined;
  return index.best(ctx, task, pipeline.filters, pipeline.scorer);
}

/**
 * The reference implementation: scan every agent (in agent-id order), keep the highest score.
 * Slow and obviously right; the index must always agree with it.
 */
export function selectByScan(
  ctx: PlacementContext,
  task: PlacementTask,
  agents: readonly PlacementAgent[],
  pipeline: Pipeline,
): PlacementAgent | undefined {
  if (preCheck(ctx, task, pipeline)) return undefined;
  let best: PlacementAgent | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const agent of agents) {
    if (!passes(ctx, task, agent, pipeline.filters)) continue;
    const score = pipeline.scorer.score(task, agent, ctx);
    if (score > bestScore) {
      bestScore = score;
      best = agent;
    }
  }
  return best;
}

/** Why a task is (or is not) placeable right now. */
export interface Explanation {
  readonly task: string;
  /** The agent the pipeline would choose now, if any. */
  readonly candidate?: string;
  /** Set when the task was rejected before any agent was looked at. */
  readonly rejection?: Rejection;
  readonly agentsConsidered: number;
  /** Rejections per reason, most frequent first; `agents` lists up to five hostnames. */
  readonly reasons: readonly { code: ReasonCode; count: number; agents: readonly string[] }[];
  /** One line of plain text. */
  readonly text: string;
}

const LIST_AGENTS = 5;

/** Runs every filter on every agent and tallies the reasons; for humans, not the hot path. */
export function explain(
  ctx: PlacementContext,
  task: PlacementTask,
  candidates: readonly PlacementAgent[],
  pipeline: Pipeline,
): Explanation {
  let agents = candidates;
  const rejection = preCheck(ctx, task, pipeline);
  if (rejection) {
    return {
      task: task.id,
      rejection,
      agentsConsidered: 0,
      reasons: [],
      text: `${rejection.code}: ${rejection.detail}`,
    };
  }
  if (task.pinnedAgentId !== undefined) {
    // A one-per-node copy belongs to one agent; the others are not candidates.
    const own = agents.filter((a) => a.id === task.pinnedAgentId);
    if (own.length > 0) agents = own;
  }
  if (agents.length === 0) {
    return {
      task: task.id,
      agentsConsidered: 0,
      reasons: [{ code: 'NoAgentsKnown', count: 0, agents: [] }],
      text: `NoAgentsKnown: ${REASON_TEXT.NoAgentsKnown}`,
    };
  }
  const tally = new Map<ReasonCode, { count: number; agents: string[] }>();
  for (const agent of agents) {
    const code = agentVerdict(ctx, task, agent, pipeline.filters);
    if (code === undefined) continue;
    const entry = tally.get(code) ?? { count: 0, agents: [] };
    entry.count++;
    if (entry.agents.length < LIST_AGENTS) entry.agents.push(agent.hostname);
    tally.set(code, entry);
  }
  const reasons = [...tally.entries()]
    .map(([code, e]) => ({ code, count: e.count, agents: e.agents }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
  const candidate = selectByScan(ctx, task, agents, pipeline);
  const parts = reasons.map((r) => {
    const more = r.count > r.agents.length ? ', …' : '';
    return `${r.code} on ${r.count} agent${r.count === 1 ? '' : 's'} (${r.agents.join(', ')}${more})`;
  });
  const text = candidate
    ? `fits on ${candidate.hostname} now${parts.length > 0 ? `; elsewhere: ${parts.join('; ')}` : ''}`
    : parts.join('; ');
  const result: Explanation = candidate
    ? { task: task.id, candidate: candidate.hostname, agentsConsidered: agents.length, reasons, text }
    : { task: task.id, agentsConsidered: agents.length, reasons, text };
  return result;
}
