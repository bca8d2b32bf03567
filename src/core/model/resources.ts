import type { Range, Resource } from '../mesos/v1.ts';

/** Scalar resources, in Mesos units: cpus (shares), mem and disk (MB). */
export interface Scalars {
  cpus: number;
  mem: number;
  disk: number;
}

/** A resource bundle: scalars plus a sorted, non-overlapping list of inclusive port ranges. */
export interface Resources extends Scalars {
  ports: Range[];
}

/** Mesos keeps three decimal places for scalars; every sum and difference is rounded to that. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function emptyResources(): Resources {
  return { cpus: 0, mem: 0, disk: 0, ports: [] };
}

export function cloneResources(r: Resources): Resources {
  return {
    cpus: r.cpus,
    mem: r.mem,
    disk: r.disk,
    ports: r.ports.map((p) => ({ begin: p.begin, end: p.end })),
  };
}

/** Sorts and merges ranges so that the result is canonical (sorted, disjoint, non-adjacent). */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges
    .filter((r) => r.end >= r.begin)
    .map((r) => ({ begin: r.begin, end: r.end }))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push(r);
    }
  }
  return out;
}

export function addRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return normalizeRanges([...a, ...b]);
}

/** Removes every value in `remove` from `from`. Both lists may be in any order. */
export function subtractRanges(from: readonly Range[], remove: readonly Range[]): Range[] {
  let current = normalizeRanges(from);
  for (const r of normalizeRanges(remove)) {
    const next: Range[] = [];
    for (const c of current) {
      if (r.end < c.begin || r.begin > c.end) {
        next.push(c);
        continue;
      }
      if (r.begin > c.begin) next.push({ begin: c.begin, end: r.begin - 1 });
      if (r.end < c.end) next.push({ begin: r.end + 1, end: c.end });
    }
    current = next;
  }
  return current;
}

/** True when every value of `inner` lies inside `outer`. */
export function rangesInclude(outer: readonly Range[], inner: readonly Range[]): boolean {
  return subtractRanges(inner, outer).length === 0;
}

export function rangesContainPort(ranges: readonly Range[], port: number): boolean {
  for (const r of ranges) {
    if (port >= r.begin && port <= r.end) return true;
  }
  return false;
}

export function rangesOverlap(a: readonly Range[], b: readonly Range[]): boolean {
  for (const x of a) {
    for (const y of b) {
      if (x.begin <= y.end && y.begin <= x.end) return true;
    }
  }
  return false;
}

/** Turns single ports into canonical ranges: [31500, 31501, 31600] → [31500-31501, 31600-31600]. */
export function portsToRanges(ports: readonly number[]): Range[] {
  return normalizeRanges(ports.map((p) => ({ begin: p, end: p })));
}

export function countRangeValues(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.begin + 1;
  return n;
}

/** Parses "31000-32000" or "31000-31099,31200-32000" (also single ports "8080"). */
export function parseRanges(text: string): Range[] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return undefined;
  const out: Range[] = [];
  for (const part of parts) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) return undefined;
    const begin = Number(m[1]);
    const end = m[2] === undefined ? begin : Number(m[2]);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || end < begin) return undefined;
    out.push({ begin, end });
  }
  return normalizeRanges(out);
}

/** Formats ranges the way `parseRanges` reads them: "31000-31099,31200-32000" ("" for none). */
export function rangesText(ranges: readonly Range[]): string {
  return ranges.map((r) => (r.begin === r.end ? `${r.begin}` : `${r.begin}-${r.end}`)).join(',');
}

/** Formats ranges the way Mesos' /state does: "[31000-31099, 31200-32000]". */
export function formatRanges(ranges: readonly Range[]): string {
  return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
}

/** True when `need` fits in `have` (scalars and ports). */
export function fits(have: Resources, need: Resources): boolean {
  return (
    have.cpus >= need.cpus &&
    have.mem >= need.mem &&
    have.disk >= need.disk &&
    (need.ports.length === 0 || rangesInclude(have.ports, need.ports))
  );
}

export function addResources(a: Resources, b: Resources): Resources {
  return {
    cpus: round3(a.cpus + b.cpus),
    mem: round3(a.mem + b.mem),
    disk: round3(a.disk + b.disk),
    ports: addRanges(a.ports, b.ports),
  };
}

/** a − b; scalars never go below zero (a defensive floor for rounding noise). */
export function subtractResources(a: Resources, b: Resources): Resources {
  return {
    cpus: Math.max(0, round3(a.cpus - b.cpus)),
    mem: Math.max(0, round3(a.mem - b.mem)),
    disk: Math.max(0, round3(a.disk - b.disk)),
    ports: subtractRanges(a.ports, b.ports),
  };
}

/**
 * Takes `need` out of `free` in place (the placement hot path: no allocation unless ports are
 * involved).
 */
export function reserveInPlace(free: Resources, need: Resources): void {
  free.cpus = Math.max(0, round3(free.cpus - need.cpus));
  free.mem = Math.max(0, round3(free.mem - need.mem));
  free.disk = Math.max(0, round3(free.disk - need.disk));
  if (need.ports.length > 0) free.ports = subtractRanges(free.ports, need.ports);
}

/** Sums the unreserved standard resources of an offer (or any Mesos resource list). */
export function resourcesFromMesos(list: readonly Resource[]): Resources {
  const out = emptyResources();
  for (const r of list) {
    if (r.type === 'SCALAR' && r.scalar) {
      if (r.name === 'cpus') out.cpus = round3(out.cpus + r.scalar.value);
      else if (r.name === 'mem') out.mem = round3(out.mem + r.scalar.value);
      else if (r.name === 'disk') out.disk = round3(out.disk + r.scalar.value);
    } else if (r.type === 'RANGES' && r.name === 'ports' && r.ranges) {
      out.ports = addRanges(out.ports, r.ranges.range);
    }
  }
  return out;
}

/** Builds a Mesos resource list, leaving out zero scalars and empty port ranges. */
export function resourcesToMesos(r: Resources, role?: string, allocationRole?: string): Resource[] {
  const out: Resource[] = [];
  const decorate = (res: Resource): Resource => {
    if (role !== undefined) res.role = role;
    if (allocationRole !== undefined) res.allocation_info = { role: allocationRole };
    return res;
  };
  if (r.cpus > 0) out.push(decorate({ name: 'cpus', type: 'SCALAR', scalar: { value: r.cpus } }));
  if (r.mem > 0) out.push(decorate({ name: 'mem', type: 'SCALAR', scalar: { value: r.mem } }));
  if (r.disk > 0) out.push(decorate({ name: 'disk', type: 'SCALAR', scalar: { value: r.disk } }));
  if (r.ports.length > 0) {
    out.push(
      decorate({
        name: 'ports',
        type: 'RANGES',
        ranges: { range: r.ports.map((p) => ({ begin: p.begin, end: p.end })) },
      }),
    );
  }
  return out;
}
