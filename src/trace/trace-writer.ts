import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceLine } from './trace-line.ts';

/** Receives every trace line in order (invariant checker, live displays). */
export type LineListener = (line: TraceLine, lineNumber: number, text: string) => void;

const FLUSH_BYTES = 1 << 20;

/**
 * Serialises trace lines as JSON Lines, hashes every line into the run digest (SHA-256 of the
 * bytes of all lines before `run-finished`) and, when given a path, writes them to a file.
 */
export class TraceWriter {
  readonly #hash: Hash = createHash('sha256');
  readonly #listeners: LineListener[] = [];
  readonly #fd: number | undefined;
  #buffer: string[] = [];
  #bufferBytes = 0;
  #lines = 0;
  #lastT = 0;
  #digest: string | undefined;

  constructor(path?: string) {
    this.#fd = path === undefined ? undefined : openSync(path, 'w');
  }

  get lines(): number {
    return this.#lines;
  }

  listen(listener: LineListener): void {
    this.#listeners.push(listener);
  }

  write(line: TraceLine): void {
    if (this.#digest !== undefined) throw new Error('trace already finished');
    const t = Math.max(this.#lastT, Math.round(line.t));
    line.t = t;
    this.#lastT = t;
    const text = JSON.stringify(line);
    this.#lines++;
    this.#hash.update(text);
    this.#hash.update('\n');
    for (const l of this.#listeners) l(line, this.#lines, text);
    if (this.#fd !== undefined) {
      this.#buffer.push(text);
      this.#bufferBytes += text.length + 1;
      if (this.#bufferBytes >= FLUSH_BYTES) this.#flush();
    }
  }

  /** Writes `run-finished` with the digest, closes the file and returns the digest. */
  finish(t: number): string {
    if (this.#digest !== undefined) return this.#digest;
    const digest = this.#hash.digest('hex');
    this.#digest = digest;
    const line = { t: Math.max(this.#lastT, Math.round(t)), type: 'run-finished', digest };
    const text = JSON.stringify(line);
    this.#lines++;
    for (const l of this.#listeners) l(line, this.#lines, text);
    if (this.#fd !== undefined) {
      this.#buffer.push(text);
      this.#flush();
      closeSync(this.#fd);
    }
    return digest;
  }

  #flush(): void {
    if (this.#fd === undefined || this.#buffer.length === 0) return;
    writeSync(this.#fd, `${this.#buffer.join('\n')}\n`);
    this.#buffer = [];
    this.#bufferBytes = 0;
  }
}
