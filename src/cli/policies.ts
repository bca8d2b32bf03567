import { SIZING_MODES } from '../core/intelligence/sizing.ts';
import { SCORER_NAMES } from '../core/placement/pipeline.ts';
import { RESHUFFLE_STRATEGIES } from '../scenario/load.ts';
import { UsageError } from './errors.ts';

export interface PolicyChoice {
  readonly name: string;
  readonly placement?: string;
  readonly reshuffle?: string;
  readonly sizing?: string;
}

/**
 * The sizing a reshuffle strategy brings with it unless the bundle names one: Charmander's
 * reshuffle with Charmander's estimator, offerlab's planned ones with `p99-window`.
 */
function sizingFor(reshuffle: string): string {
  return reshuffle === 'charmander' ? 'charmander' : 'p99-window';
}

/**
 * Resolves a policy bundle name. A placement name (first-fit, bin-pack, spread, usage-aware) or a
 * reshuffle name (charmander) overrides that part of the scenario's policy; `bin-pack+charmander`
 * sets both. The names come from `SCORER_NAMES`, so every registered scorer is accepted. A
 * reshuffle name also sets the sizing that goes with it (`charmander` → Charmander's estimator,
 * planned strategies → `p99-window`) unless a sizing is named too (`planned+off`).
 */
export function resolvePolicy(name: string): PolicyChoice {
  const parts = name.split('+').map((p) => p.trim());
  let placement: string | undefined;
  let reshuffle: string | undefined;
  let sizing: string | undefined;
  for (const part of parts) {
    if (SCORER_NAMES.includes(part) && placement === undefined) placement = part;
    else if (RESHUFFLE_STRATEGIES.includes(part) && reshuffle === undefined) reshuffle = part;
    else if (SIZING_MODES.includes(part) && part !== 'charmander' && sizing === undefined) sizing = part;
    else {
      throw new UsageError(
        `unknown policy "${part}" in "${name}" (placements: ${SCORER_NAMES.join(', ')}; reshuffles: ${RESHUFFLE_STRATEGIES.join(', ')}; sizing: ${SIZING_MODES.filter((m) => m !== 'charmander').join(', ')}; combine with +)`,
      );
    }
  }
  if (sizing === undefined && reshuffle !== undefined) sizing = sizingFor(reshuffle);
  return {
    name,
    ...(placement !== undefined ? { placement } : {}),
    ...(reshuffle !== undefined ? { reshuffle } : {}),
    ...(sizing !== undefined ? { sizing } : {}),
  };
}

/** Parses `--seeds`: "1..20", "3,5,8" or "7". */
export function parseSeeds(text: string): number[] {
  const range = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(text);
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw new UsageError(`--seeds ${text}: the range is empty`);
    if (b - a >= 10_000) throw new UsageError(`--seeds ${text}: at most 10,000 seeds`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const list = text.split(',').map((s) => s.trim());
  if (list.length > 0 && list.every((s) => /^-?\d+$/.test(s))) return list.map(Number);
  throw new UsageError(`--seeds must look like 1..20, 3,5,8 or 7, got "${text}"`);
}

export function parseSeed(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--seed must be a whole number, got "${text}"`);
  return Number(text);
}
