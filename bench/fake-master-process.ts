import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `offerlab fake-master --cluster FILE` in a process of its own, so the simulated cluster's work
 * is not counted against what a benchmark measures. Resolves with its `host:port`.
 */
export function startFakeMaster(file: string): Promise<{ child: ChildProcess; master: string }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'bin', 'offerlab.js'), 'fake-master', '--cluster', file, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /masters +http:\/\/(\S+)/.exec(out);
      if (m) resolve({ child, master: m[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`fake master exited with ${code}`)));
  });
}
