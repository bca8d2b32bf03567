import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { SeededRandom } from '../../src/adapters/seeded-random.ts';
import { leaderState, type Proc, start, startFakeMaster } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Crash safety with real processes: `offerlab serve --state-dir` schedules on `offerlab
 * fake-master` while a client submits tasks, and is killed with SIGKILL at seeded random moments
 * and started again on the same state directory. Every submission that got a 202 must exist
 * exactly once afterwards, and no task may ever have been launched twice.
 */

const SPEED = 20;
const CRASHES = 4;
const SEED = Number(process.env.OFFERLAB_CRASH_SEED ?? 2026);

const CLUSTER = `name: crash-cluster
duration: 1h
cluster:
  agents:
    - { name: node, count: 4, resources: { cpus: 64, mem: 65536, disk: 100000, ports: "31000-32000" } }
`;

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'offerlab-crash-'));
  writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function startDaemon(master: string, stateDir: string): Promise<{ proc: Proc; url: string }> {
  const proc = start([
    'serve',
    '--transport',
    'http',
    '--master',
    master,
    '--state-dir',
    stateDir,
    '--port',
    '0',
    '--speed',
    String(SPEED),
  ]);
  const url = await eventually(
    () =>
      /listening on (http:\/\/\S+)/.exec(proc.stdout)?.[1] ??
      (proc.child.exitCode !== null ? 'exited' : undefined),
    'the daemon to listen',
  );
  if (url === 'exited') throw new Error(`offerlab serve exited:\n${proc.stdout}\n${proc.stderr}`);
  return { proc, url };
}

async function submit(url: string, id: string): Promise<'accepted' | 'unknown'> {
  try {
    const res = await fetch(`${url}/client/task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, dockerimage: 'busybox', mem: '16', cpus: '0.1' }),
    });
    if (res.status === 202) return 'accepted';
    throw new Error(`POST /client/task answered ${res.status}: ${await res.text()}`);
  } catch (err) {
    if (err instanceof TypeError) return 'unknown'; // the connection died with the daemon
    throw err;
  }
}

test('crash › kill -9 at random moments: every 202 survives exactly once, nothing is launched twice', async (t) => {
  t.timeout(120_000);
  t.log(`seed ${SEED} (set OFFERLAB_CRASH_SEED to replay)`);
  const rng = new SeededRandom(SEED);
  const { proc: fake, urls } = await startFakeMaster([
    '--speed',
    String(SPEED),
    '--cluster',
    join(dir, 'cluster.yaml'),
  ]);
  const master = (urls[0] ?? '').replace('http://', '');
  const stateDir = join(dir, 'state');
  const accepted = new Set<string>();
  const unknown = new Set<string>();
  let next = 0;
  let daemon = await startDaemon(master, stateDir);
  try {
    for (let crash = 0; crash <= CRASHES; crash++) {
      const url = daemon.url;
      let alive = true;
      // Four clients submit as fast as the daemon answers until it dies (or, after the last
      // crash, until each has sent 10 more).
      const clients = Array.from({ length: 4 }, async () => {
        for (let sent = 0; alive && (crash < CRASHES || sent < 10); sent++) {
          const id = `c${next++}`;
          const outcome = await submit(url, id);
          if (outcome === 'accepted') accepted.add(id);
          else {
            unknown.add(id);
            return;
          }
        }
      });
      if (crash < CRASHES) {
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(rng.next() * 600)));
        daemon.proc.child.kill('SIGKILL');
        await daemon.proc.exited;
        alive = false;
        await Promise.all(clients);
        daemon = await startDaemon(master, stateDir);
        t.regex(daemon.proc.stdout, /restored \d+ tasks/, 'the daemon restored its state');
      } else {
        await Promise.all(clients);
      }
    }
    t.true(accepted.size > 20, `enough submissions got through (${accepted.size})`);
    t.log(
      `${accepted.size} submissions answered 202, ${unknown.size} cut off by a crash, ${CRASHES} crashes`,
    );

    // Every accepted submission ends up running exactly once at the master.
    const final = await eventually(
      async () => {
        const s = await leaderState(urls);
        const running = new Set(
          (s?.state.frameworks[0]?.tasks ?? [])
            .filter((x) => x.state === 'TASK_RUNNING')
            .map((x) => specOf(x.id)),
        );
        return [...accepted].every((id) => running.has(id)) ? s : undefined;
      },
      'every accepted submission to run',
      60_000,
    );
    const fw = final.state.frameworks;
    t.is(fw.length, 1, 'one framework: every restart resubscribed with the same id');
    const everLaunched = [...(fw[0]?.tasks ?? []), ...(fw[0]?.completed_tasks ?? [])];
    const perSpec = new Map<string, number>();
    for (const task of everLaunched) perSpec.set(specOf(task.id), (perSpec.get(specOf(task.id)) ?? 0) + 1);
    const twice = [...perSpec].filter(([, n]) => n > 1);
    t.deepEqual(twice, [], 'no submission was launched twice');
    t.deepEqual(fw[0]?.completed_tasks ?? [], [], 'nothing was killed or lost');
    for (const id of perSpec.keys()) t.true(accepted.has(id) || unknown.has(id), `${id} was submitted`);

    // And the daemon lists each accepted submission exactly once.
    const listed = (await (await fetch(`${daemon.url}/client/task`)).json()) as { id: string }[];
    const count = new Map<string, number>();
    for (const task of listed) count.set(task.id, (count.get(task.id) ?? 0) + 1);
    for (const id of accepted) t.is(count.get(id), 1, `${id} listed once`);
  } finally {
    daemon.proc.child.kill('SIGTERM');
    await daemon.proc.exited;
    fake.child.kill('SIGTERM');
    await fake.exited;
  }
});

/** The spec id of a unique task id `<id>-<6 digits>`. */
function specOf(taskId: string): string {
  return taskId.replace(/-\d{6}$/, '');
}
