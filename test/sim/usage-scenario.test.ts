import test from 'ava';
import { runPassed } from '../../src/report/run-result.ts';
import { simulate } from '../../src/run/simulate.ts';
import { parseScenario } from '../../src/scenario/load.ts';

// Usage profiles end to end: scenario file → submission labels → TaskInfo → simulated agent.

const SCENARIO = `name: profiles
seed: 7
duration: 20m
cluster:
  agents:
    - name: lab
      count: 2
      resources: { cpus: 4, mem: 4096 }
workload:
  - at: 0s
    submit: { id: grow, dockerimage: stress, mem: 64 }
    usage:
      mem: { profile: ramp, from: 20, to: 90, over: 5m }
      cpus: { profile: periodic, low: 0.1, high: 0.9, period: 1m }
  - at: 0s
    submit: { id: spiky, dockerimage: lookbusy, mem: 64 }
    count: 3
    usage:
      mem: { profile: spikes, base: 40, peak: 95, every: 3m, for: 10s, jitter: 20s }
    runtime: 15m
  - at: 0s
    submit: { id: calm, dockerimage: lookbusy, mem: 64 }
    usage: { mem: { profile: periodic, low: 10, high: 64, period: 2m } }
expect:
  running: { calm: 1 }
`;

interface Status {
  t: number;
  task: string;
  state: string;
  reason?: string;
}

function run(seed?: number): { digest: string; statuses: Status[]; passed: boolean } {
  const statuses: Status[] = [];
  const r = simulate(parseScenario(SCENARIO, 'profiles.yaml'), {
    ...(seed !== undefined ? { seed } : {}),
    onRecord: (rec, t) => {
      if (rec.type !== 'task-status') return;
      const s = rec as unknown as { task: string; state: string; reason?: string };
      statuses.push({ t, task: s.task, state: s.state, ...(s.reason ? { reason: s.reason } : {}) });
    },
  });
  return { digest: r.digest, statuses, passed: runPassed(r) };
}

test('usage scenario › memory-limit kills follow the profiles; the same seed gives the same run', (t) => {
  const a = run();
  t.true(a.passed, 'expectations hold, no invariant broke');
  const running = new Map<string, number>();
  const oomAfter = new Map<string, number>();
  for (const s of a.statuses) {
    if (s.state === 'TASK_RUNNING') running.set(s.task, s.t);
    if (s.reason === 'REASON_CONTAINER_LIMITATION_MEMORY') {
      t.is(s.state, 'TASK_FAILED');
      oomAfter.set(s.task, s.t - (running.get(s.task) ?? Number.NaN));
    }
  }
  // 20 + 70·t/300000 > 64 first at t = 188572 ms; the update follows the 2 s memory-kill-delay
  // (give or take the scheduler's view of the times, one latency each way).
  const grow = [...oomAfter].filter(([task]) => task.startsWith('grow-'));
  t.true(grow.length >= 2, 'the service is relaunched and killed again');
  for (const [, after] of grow)
    t.true(Math.abs(after - 190_572) <= 2, `grow killed ${after} ms after RUNNING`);
  const spiky = [...oomAfter].filter(([task]) => task.startsWith('spiky-'));
  t.true(spiky.length >= 3, 'every spiky copy dies at its first spike');
  for (const [, after] of spiky)
    t.true(after >= 182_000 - 2 && after <= 202_000 + 2, `spiky killed ${after} ms after RUNNING`);
  t.false(
    [...oomAfter.keys()].some((task) => task.startsWith('calm-')),
    'a wave that only reaches its allocation never kills',
  );

  const b = run();
  t.is(b.digest, a.digest, 'same scenario and seed: same trace');
  t.deepEqual(b.statuses, a.statuses);
  const c = run(8);
  t.notDeepEqual(
    c.statuses.filter((s) => s.task.startsWith('spiky-')),
    a.statuses.filter((s) => s.task.startsWith('spiky-')),
    'another seed jitters the spikes differently',
  );
});
