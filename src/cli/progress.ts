import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for runs that take a while. It appears only on a terminal and only
 * once the work has taken longer than `delayMs`, so short runs print nothing extra.
 */
export class Progress {
  readonly #label: string;
  readonly #delayMs: number;
  readonly #start = performance.now();
  #bar: cliProgress.SingleBar | undefined;
  readonly #enabled: boolean;

  constructor(label: string, opts: { enabled?: boolean; delayMs?: number } = {}) {
    this.#label = label;
    this.#delayMs = opts.delayMs ?? 700;
    this.#enabled = opts.enabled ?? (process.stderr.isTTY === true && process.env.CI === undefined);
  }

  update(done: number, total: number, detail = ''): void {
    if (!this.#enabled) return;
    if (!this.#bar) {
      if (performance.now() - this.#start < this.#delayMs || done >= total) return;
      this.#bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${this.#label} [{bar}] {percentage}% {detail} eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, done, { detail });
    }
    this.#bar.update(done, { detail });
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
