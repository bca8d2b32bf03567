/** Byte helpers for codec tests. */

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
export const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
export const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(s.split(' '), (h) => Number.parseInt(h, 16));

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts `bytes` at the given offsets (any order, duplicates allowed) and returns the pieces. */
export function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(bytes.slice(from, p));
    from = p;
  }
  pieces.push(bytes.slice(from));
  return pieces;
}
