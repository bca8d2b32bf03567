/**
 * kubectl-style tables for the terminal client: upper-case headers, every column left-aligned,
 * three spaces between columns, no borders, no trailing spaces.
 *
 * Not `src/report/table.ts`: that one is for run reports (two spaces, numbers right-aligned),
 * and its output is pinned by the run and compare tests.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => (cells[i] ?? '').padEnd(w))
      .join('   ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}

/** A number for a table cell: at most two decimals, no trailing zeros (0.1, 2, 1536). */
export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return String(Math.round(n * 100) / 100);
}

/** `used/total`, e.g. `1.5/4`. */
export function usedOf(used: number | null | undefined, total: number | null | undefined): string {
  return `${num(used)}/${num(total)}`;
}

/** A cell for an optional string: `-` when absent or empty. */
export function cell(s: string | null | undefined): string {
  return s === null || s === undefined || s === '' ? '-' : s;
}
