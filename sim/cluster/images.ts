import type { TaskInfo } from '../../src/core/mesos/v1.ts';
import type { TaskBehaviour } from '../../src/core/model/task-behaviour.ts';

const SUFFIX: Record<string, number> = {
  '': 1 / (1024 * 1024),
  b: 1 / (1024 * 1024),
  k: 1 / 1024,
  m: 1,
  g: 1024,
};

/**
 * What well-known load simulators use when a task carries no usage of its own (labels win): the
 * `stress` image with `--vm N --vm-bytes SIZE` holds N × SIZE of memory, as Charmander's lab ran
 * it (`"arguments": ["--vm-bytes", "60M", "--vm", "1"]`). Sizes use stress's suffixes (K, M, G as
 * powers of 1024, so `60M` is 60 Mesos MB). Anything else: nothing known.
 */
export function imageBehaviour(info: TaskInfo): TaskBehaviour {
  const sleep = shellSleep(info);
  if (sleep !== undefined) return { runtimeMs: sleep };
  const image = info.container?.docker?.image ?? '';
  if (!/(^|\/)stress(:|$)/.test(image)) return {};
  const args = info.command?.arguments ?? [];
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const bytes = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(value('--vm-bytes') ?? '');
  if (!bytes) return {};
  const workers = Number(value('--vm') ?? '1');
  const perWorker = Number(bytes[1]) * (SUFFIX[(bytes[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isFinite(workers) || workers < 1) return {};
  return { usageMem: Math.round(perWorker * workers * 1000) / 1000 };
}

/**
 * A shell command that is only `sleep N` (seconds, as `sleep` takes them) runs for N seconds and
 * finishes: how an ETL job's copies (`offerlab etl --cmd "sleep 20"`) behave in the simulator.
 */
function shellSleep(info: TaskInfo): number | undefined {
  const command = info.command;
  if (command?.shell !== true || command.value === undefined) return undefined;
  const m = /^\s*sleep\s+(\d+(?:\.\d+)?)s?\s*$/.exec(command.value);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}
