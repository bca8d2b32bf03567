/**
 * Seeded randomness, injected. Every consumer takes a labelled fork so that adding a draw in one
 * place never shifts the draws of another.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max). */
  int(min: number, max: number): number;
  /** An independent generator derived from this one's seed and the label. */
  fork(label: string): Random;
}
