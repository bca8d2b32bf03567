/**
 * The total order offerlab uses for agents wherever a tie must be broken: natural order of the
 * agent id, so `…-S2` sorts before `…-S10`, then plain string order as the final tie-break.
 */
export function compareAgentIds(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path for Mesos ids: same prefix, then a run of digits (`<master>-S12`).
  const da = trailingDigits(a);
  const db = trailingDigits(b);
  if (da > 0 && db > 0 && a.length - da === b.length - db && a.startsWith(b.slice(0, b.length - db))) {
    const na = a.length - da;
    const ta = stripZeros(a, na);
    const tb = stripZeros(b, na);
    if (a.length - ta !== b.length - tb) return a.length - ta - (b.length - tb);
    const x = a.slice(ta);
    const y = b.slice(tb);
    if (x !== y) return x < y ? -1 : 1;
    return a < b ? -1 : 1;
  }
  return compareChunks(a, b);
}

function trailingDigits(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n++;
  }
  return n;
}

/** Index of the first significant digit in the digit run starting at `from`. */
function stripZeros(s: string, from: number): number {
  let i = from;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i;
}

function compareChunks(a: string, b: string): number {
  const ca = chunks(a);
  const cb = chunks(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (x === y) continue;
    if (isDigits(x) && isDigits(y)) {
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
