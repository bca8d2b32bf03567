import { SCORER_NAMES } from '../core/placement/pipeline.ts';
import { RESHUFFLE_STRATEGIES } from '../scenario/load.ts';
import { UsageError } from './errors.ts';

export interface PolicyChoice {
  readonly name: string;
  readonly placement?: string;
  readonly reshuffle?: string;
}

/**
 * Resolves a policy bundle name. A placement name (first-fit, bin-pack, spread) or a reshuffle
 * name (charmander) overrides that part of the scenario's policy; `bin-pack+charmander` sets both.
 */
export function resolvePolicy(name: string): PolicyChoice {
  const parts = name.split('+').map((p) => p.trim());
  let placement: string | undefined;
  let reshuffle: string | undefined;
  for (const part of parts) {
    if (SCORER_NAMES.includes(part) && placement === undefined) placement = part;
    else if (RESHUFFLE_STRATEGIES.includes(part) && reshuffle === undefined) reshuffle = part;
    else {
      throw new UsageError(
        `unknown policy "${part}" in "${name}" (placements: ${SCORER_NAMES.join(', ')}; reshuffles: ${RESHUFFLE_STRATEGIES.join(', ')}; combine with +)`,
      );
    }
  }
  return {
    name,
    ...(placement !== undefined ? { placement } : {}),
    ...(reshuffle !== undefined ? { reshuffle } : {}),
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
