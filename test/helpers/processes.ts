import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from './wait.ts';

export const BIN = join(process.cwd(), 'bin', 'offerlab.js');

/** Runs the real binary to the end: exit code and everything it printed. */
export function offerlab(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A real `offerlab` child process with its output so far. */
export interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number>;
}

/** Starts `offerlab <args>` as a child process. */
export function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  const p: Proc = { child, stdout: '', stderr: '', exited: Promise.resolve(0) };
  child.stdout?.on('data', (d: Buffer) => {
    p.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    p.stderr += d.toString();
  });
  p.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  return p;
}

/** Starts `offerlab fake-master` with the given flags and resolves with its master URLs. */
export async function startFakeMaster(args: string[]): Promise<{ proc: Proc; urls: string[] }> {
  const proc = start(['fake-master', '--port', '0', ...args]);
  const line = await eventually(() => /masters +(.+)\n/.exec(proc.stdout)?.[1], 'the fake master to listen');
  return { proc, urls: line.split(', ').map((u) => u.replace(' (leading)', '')) };
}

export interface MasterState {
  id: string;
  frameworks: {
    id: string;
    tasks: { id: string; state: string }[];
    completed_tasks: { id: string; state: string }[];
  }[];
  completed_frameworks: unknown[];
}

/** `/master/state` of one master, or undefined when it does not answer 200. */
export async function masterState(base: string): Promise<MasterState | undefined> {
  try {
    const res = await fetch(`${base}/master/state`);
    return res.status === 200 ? ((await res.json()) as MasterState) : undefined;
  } catch {
    return undefined;
  }
}

/** The state of the first master that answers, with its URL. */
export async function leaderState(
  urls: readonly string[],
): Promise<{ base: string; state: MasterState } | undefined> {
  for (const base of urls) {
    const s = await masterState(base);
    if (s !== undefined) return { base, state: s };
  }
  return undefined;
}
