import seedrandom from 'seedrandom';
import type { Random } from '../core/random.ts';

/** The `Random` port on seedrandom's alea generator; forks are seeded by `<seed>/<label>`. */
export class SeededRandom implements Random {
  readonly #seed: string;
  readonly #prng: seedrandom.PRNG;

  constructor(seed: string | number) {
    this.#seed = String(seed);
    this.#prng = seedrandom.alea(this.#seed);
  }

  next(): number {
    return this.#prng();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.#prng() * (max - min));
  }

  fork(label: string): Random {
    return new SeededRandom(`${this.#seed}/${label}`);
  }
}
