import type { Random } from '../random.ts';

/** What a step may read besides its state and input: the time and a seeded generator. */
export interface StepEnv {
  readonly now: number;
  readonly random: Random;
}
