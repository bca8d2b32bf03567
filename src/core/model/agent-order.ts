/**
 * The total order offerlab uses for agents wherever a tie must be broken: natural order of the
 * agent id, so `…-S2` sorts before `…-S10`, then plain string order as the final tie-break.
 */
export function compareAgentIds(a: string, b: string): number {
  if (a === b) return 0;
  const ca = chunks(a);
  const cb = chunks(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (x === y) continue;
    const dx = isDigits(x);
    const dy = isDigits(y);
    if (dx && dy) {
      const tx = x.replace(/^0+(?=\d)/, '');
      const ty = y.replace(/^0+(?=\d)/, '');
      if (tx.length !== ty.length) return tx.length - ty.length;
      if (tx !== ty) return tx < ty ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : 1;
}

function isDigits(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
}

function chunks(s: string): string[] {
  return s.match(/\d+|\D+/g) ?? [s];
}
