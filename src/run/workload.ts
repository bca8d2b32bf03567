import { behaviourLabels } from '../core/model/task-behaviour.ts';
import type { Random } from '../core/random.ts';
import type { Clock } from '../ports/clock.ts';
import type { Driver } from '../runtime/driver.ts';
import type { Action, AgentGroup, Behaviour, Timed } from '../scenario/types.ts';

export interface WorkloadHooks {
  /** New agents join. The simulator adds them; against a live master the cluster does it itself. */
  readonly addAgents?: (group: AgentGroup) => void;
}

/**
 * Plays a scenario's workload on a clock: every action becomes a timer that feeds the driver at
 * its time. `spread` arrivals draw their offsets from `random` (a labelled fork of the run's seed).
 */
export function scheduleWorkload(
  clock: Clock,
  driver: Driver,
  random: Random,
  workload: readonly Timed<Action>[],
  hooks: WorkloadHooks = {},
): void {
  const at = (t: number, fn: () => void) => clock.setTimer(t, fn);
  for (const { at: t, item: action } of workload) {
    switch (action.kind) {
      case 'job': {
        const labels = labelsOf(action.behaviour);
        at(t, () => driver.input({ type: 'job-submit', job: action.job, labels }));
        break;
      }
      case 'job-delete':
        at(t, () => driver.input({ type: 'job-delete', id: action.id }));
        break;
      case 'pool': {
        const { pool, launch, action: mode } = action;
        at(t, () =>
          driver.input(
            launch !== undefined
              ? { type: 'pool-launch', pool, count: launch }
              : { type: 'pool-mode', pool, action: mode ?? 'restore' },
          ),
        );
        break;
      }
      case 'auto':
        at(t, () => driver.input({ type: 'auto-scale', enabled: action.enabled }));
        break;
      case 'submit': {
        const labels = labelsOf(action.behaviour);
        const kind = action.behaviour.runtimeMs !== undefined ? 'batch' : 'service';
        if (action.spreadMs > 0 && action.count > 1) {
          for (let i = 0; i < action.count; i++) {
            at(t + Math.floor(random.next() * action.spreadMs), () =>
              driver.submit(action.spec, kind, { labels }),
            );
          }
        } else {
          at(t, () => driver.submit(action.spec, kind, { count: action.count, labels }));
        }
        break;
      }
      case 'agents':
        if (hooks.addAgents) at(t, () => hooks.addAgents?.(action.group));
        break;
      case 'kill':
        at(t, () => driver.input({ type: 'kill', prefix: action.prefix }));
        break;
      case 'reshuffle':
        at(t, () =>
          driver.input({
            type: 'reshuffle',
            ...(action.strategy !== undefined ? { strategy: action.strategy } : {}),
            ...(action.dryRun !== undefined ? { dryRun: action.dryRun } : {}),
          }),
        );
        break;
      case 'hold':
        at(t, () =>
          driver.input({
            type: 'hold',
            hostname: action.hostname,
            held: true,
            reason: action.reason ?? 'held by scenario',
          }),
        );
        break;
      case 'unhold':
        at(t, () => driver.input({ type: 'hold', hostname: action.hostname, held: false }));
        break;
      case 'vacate':
        at(t, () => driver.input({ type: 'vacate', hostname: action.hostname }));
        break;
      case 'pause':
        at(t, () => driver.input({ type: 'pause', paused: true }));
        break;
      case 'resume':
        at(t, () => driver.input({ type: 'pause', paused: false }));
        break;
    }
  }
}

/** The TaskInfo labels that tell the simulated agent what a copy does. */
function labelsOf(b: Behaviour) {
  return behaviourLabels({
    ...(b.runtimeMs !== undefined ? { runtimeMs: b.runtimeMs } : {}),
    ...(b.usage?.mem !== undefined ? { usageMem: b.usage.mem } : {}),
    ...(b.usage?.cpus !== undefined ? { usageCpus: b.usage.cpus } : {}),
  });
}
