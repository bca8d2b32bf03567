import type { Call } from '../mesos/v1.ts';
import type { NodeTemplate } from '../pools/types.ts';
import type { SchedulerRecord } from './records.ts';

/** Things to do, returned by `step` in the order they must be carried out. */
export type Command =
  | { readonly type: 'send'; readonly call: Call }
  | { readonly type: 'set-timer'; readonly key: string; readonly at: number }
  | { readonly type: 'cancel-timer'; readonly key: string }
  /** Something to write down (trace, journal, event stream) before later commands run. */
  | { readonly type: 'record'; readonly record: SchedulerRecord }
  /** The scheduler cannot go on (e.g. its framework was removed by the master). */
  | { readonly type: 'fatal'; readonly message: string }
  /**
   * Create (`provision`) or destroy a pool's machine; the provisioner answers with a `pool-result`
   * input.
   */
  | {
      readonly type: 'provision' | 'destroy';
      readonly pool: string;
      readonly hostname: string;
      readonly template: NodeTemplate;
      readonly agentId?: string;
    };

/** Collects the commands of one step. */
export class Out {
  readonly commands: Command[] = [];
  send(call: Call): void {
    this.commands.push({ type: 'send', call });
  }
  record(record: SchedulerRecord): void {
    this.commands.push({ type: 'record', record });
  }
  fatal(message: string): void {
    this.commands.push({ type: 'fatal', message });
  }
  push(command: Command): void {
    this.commands.push(command);
  }
}
