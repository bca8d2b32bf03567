import type { Label } from '../mesos/v1.ts';

/**
 * What a task really does, for the simulated agent (in-process or behind the fake master): how
 * long it runs and what it uses. Scenarios put it on submissions; the core copies it into
 * TaskInfo labels like any other label; real Mesos ignores the labels.
 */
export interface TaskBehaviour {
  readonly runtimeMs?: number;
  readonly usageMem?: number;
  readonly usageCpus?: number;
}

export const LABEL_RUNTIME_MS = 'offerlab.sim/runtime-ms';
export const LABEL_USAGE_MEM = 'offerlab.sim/usage-mem';
export const LABEL_USAGE_CPUS = 'offerlab.sim/usage-cpus';

/** The labels for a behaviour (omitting what is not set). */
export function behaviourLabels(b: TaskBehaviour): Label[] {
  const labels: Label[] = [];
  if (b.runtimeMs !== undefined) labels.push({ key: LABEL_RUNTIME_MS, value: String(b.runtimeMs) });
  if (b.usageMem !== undefined) labels.push({ key: LABEL_USAGE_MEM, value: String(b.usageMem) });
  if (b.usageCpus !== undefined) labels.push({ key: LABEL_USAGE_CPUS, value: String(b.usageCpus) });
  return labels;
}

/** Reads the behaviour back from TaskInfo labels; unknown or malformed labels are ignored. */
export function behaviourFromLabels(labels: readonly Label[] | undefined): TaskBehaviour {
  const read = (key: string): number | undefined => {
    const v = labels?.find((l) => l.key === key)?.value;
    const n = v === undefined ? Number.NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const runtimeMs = read(LABEL_RUNTIME_MS);
  const usageMem = read(LABEL_USAGE_MEM);
  const usageCpus = read(LABEL_USAGE_CPUS);
  return {
    ...(runtimeMs !== undefined ? { runtimeMs } : {}),
    ...(usageMem !== undefined ? { usageMem } : {}),
    ...(usageCpus !== undefined ? { usageCpus } : {}),
  };
}
