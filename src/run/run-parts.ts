import { explainPending } from '../core/scheduler/queries.ts';
import type { SchedulerRecord } from '../core/scheduler/records.ts';
import { checkExpectations } from '../report/expectations.ts';
import { MetricsCollector } from '../report/metrics.ts';
import type { RunResult } from '../report/run-result.ts';
import type { Driver } from '../runtime/driver.ts';
import type { Scenario } from '../scenario/types.ts';
import { InvariantChecker } from '../trace/invariants.ts';
import { recordToLine } from '../trace/trace-line.ts';
import { TraceWriter } from '../trace/trace-writer.ts';

/**
 * What every run records, simulated or live: the trace (file and digest), the invariant checker
 * on every line, and the metrics from every record.
 */
export class RunRecorder {
  readonly writer: TraceWriter;
  readonly checker = new InvariantChecker();
  readonly metrics = new MetricsCollector();
  readonly #onRecord: ((record: SchedulerRecord, t: number) => void) | undefined;
  fatal: string | undefined;

  constructor(tracePath?: string, onRecord?: (record: SchedulerRecord, t: number) => void) {
    this.writer = new TraceWriter(tracePath);
    this.writer.listen(this.checker.listener);
    this.#onRecord = onRecord;
  }

  readonly record = (record: SchedulerRecord, t: number): void => {
    this.metrics.add(record, t);
    this.#onRecord?.(record, t);
    this.writer.write(recordToLine(record, t));
  };

  readonly fail = (message: string): void => {
    this.fatal ??= message;
  };

  /** Closes the trace and builds the result. */
  finish(
    scenario: Scenario,
    driver: Driver,
    end: number,
    run: { seed: number; placement: string; reshuffle: string; transport: 'sim' | 'http'; events: number },
  ): RunResult {
    const digest = this.writer.finish(end);
    const m = this.metrics.finish(scenario.durationMs);
    const pending = explainPending(driver.state, end, 100).map(({ task, why }) => ({
      task: task.id,
      spec: task.specId,
      why: why.text,
      reasons: why.reasons.map((r) => ({ code: r.code, count: r.count })),
    }));
    return {
      scenario: {
        name: scenario.name,
        file: scenario.file,
        ...(scenario.description ? { description: scenario.description } : {}),
      },
      seed: run.seed,
      policy: { placement: run.placement, reshuffle: run.reshuffle },
      transport: run.transport,
      metrics: m,
      violations: this.checker.violations,
      expectations: checkExpectations(scenario.expect, m),
      pending,
      digest,
      traceLines: this.writer.lines,
      events: run.events,
      ...(this.fatal !== undefined ? { fatal: this.fatal } : {}),
    };
  }
}
