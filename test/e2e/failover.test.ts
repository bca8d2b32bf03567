import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { leaderState, start, startFakeMaster } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Failover with real processes: `offerlab fake-master` in one process, `offerlab run
 * --transport=http` in another, and the leading master cut down in the middle of the launches.
 * The scheduler must resubscribe with the same framework id, reconcile, and end with every task
 * running exactly once: nothing lost, nothing duplicated, nothing killed by the failover timeout.
 */

const SPEED = 20;
const TASKS = 24;

const SCENARIO = `name: failover-launches
seed: 11
duration: 3m
cluster:
  agents:
    - { name: node, count: 6, resources: { cpus: 4, mem: 4096, disk: 10000, ports: "31000-32000" } }
workload:
  - at: 0s
    submit: { id: web, dockerimage: nginx, mem: 512, cpus: 0.5 }
    count: ${TASKS}
    spread: 40s
expect:
  running: { web: ${TASKS} }
`;

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'offerlab-failover-'));
  writeFileSync(join(dir, 'failover.yaml'), SCENARIO);
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function failoverDuringLaunches(t: import('ava').ExecutionContext, masters: number, format: string) {
  const file = join(dir, 'failover.yaml');
  const { proc: fake, urls } = await startFakeMaster([
    '--masters',
    String(masters),
    '--speed',
    String(SPEED),
    '--cluster',
    file,
  ]);
  try {
    const hostPorts = urls.map((u) => u.replace('http://', '')).join(',');
    const out = join(dir, `result-${masters}-${format}.json`);
    const trace = join(dir, `trace-${masters}-${format}.jsonl`);
    const run = start([
      'run',
      file,
      '--transport=http',
      '--master',
      hostPorts,
      '--content-type',
      format,
      '--speed',
      String(SPEED),
      '--json',
      out,
      '--trace',
      trace,
      '--no-teardown',
      '--quiet',
    ]);
    // Cut the leading master while some, not all, tasks are launched.
    const before = await eventually(
      async () => {
        const s = await leaderState(urls);
        const n = s?.state.frameworks[0]?.tasks.length ?? 0;
        return n >= 3 && n < TASKS ? s : undefined;
      },
      'some, not all, tasks launched',
      30_000,
    );
    const launchedBefore = before.state.frameworks[0]?.tasks.length ?? 0;
    const frameworkId = before.state.frameworks[0]?.id;
    const cut = await fetch(`${before.base}/offerlab/failover?down=5s`, { method: 'POST' });
    t.is(cut.status, 202);

    const code = await run.exited;
    t.is(code, 0, `offerlab run failed:\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    t.deepEqual(result.violations, []);
    t.true(
      result.expectations.every((e: { ok: boolean }) => e.ok),
      JSON.stringify(result.expectations),
    );
    // An ACCEPT sent as the leader died never reached a master: reconciliation reports that task
    // unknown (REASON_RECONCILIATION) and it is launched again under a new id. Nothing else ends.
    const ended = readFileSync(trace, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter(
        (r) =>
          r.type === 'task-status' && !['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING'].includes(r.state),
      );
    t.true(
      ended.every((r) => r.reason === 'REASON_RECONCILIATION'),
      `only tasks the master never had may end: ${JSON.stringify(ended)}`,
    );
    t.is(result.metrics.relaunches, ended.length, 'each of them was replaced once');
    t.true(result.metrics.subscriptions >= 2, 'the scheduler subscribed again after the cut');

    const after = await eventually(() => leaderState(urls), 'a leader', 30_000);
    if (masters > 1) t.not(after.state.id, before.state.id, 'another master leads');
    t.is(after.state.frameworks.length, 1);
    t.is(after.state.frameworks[0]?.id, frameworkId, 'the framework resubscribed with its id');
    const tasks = after.state.frameworks[0]?.tasks ?? [];
    t.is(tasks.length, TASKS);
    t.is(new Set(tasks.map((x) => x.id)).size, TASKS, 'no task twice');
    t.true(tasks.every((x) => x.state === 'TASK_RUNNING'));
    t.deepEqual(after.state.frameworks[0]?.completed_tasks, [], 'nothing was killed');
    t.deepEqual(after.state.completed_frameworks, [], 'the failover timeout did not remove the framework');
    t.log(`${launchedBefore} of ${TASKS} tasks launched when the leader was cut`);
  } finally {
    fake.child.kill('SIGTERM');
    await fake.exited;
  }
}

test('failover › three masters: the leader is cut mid-launch, the scheduler follows the new one (JSON)', (t) =>
  failoverDuringLaunches(t, 3, 'json'));

test('failover › one master: it goes down mid-launch and comes back, the scheduler resubscribes (protobuf)', (t) =>
  failoverDuringLaunches(t, 1, 'protobuf'));
