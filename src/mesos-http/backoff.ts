import type { Random } from '../core/random.ts';

/**
 * Capped, jittered exponential backoff: the n-th retry waits between half and all of
 * min(cap, base · 2^n). Pure; the randomness is injected.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: Random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + 0.5 * random.next()));
}
