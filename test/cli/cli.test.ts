import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { offerlab } from '../helpers/processes.ts';

const SMALL = `name: small
seed: 3
duration: 5m
cluster:
  agents:
    - { name: lab, count: 2, resources: { cpus: 2, mem: 2048 }, attributes: { nodetype: lab } }
workload:
  - at: 0s
    submit: { id: web, dockerimage: nginx, mem: 256 }
    count: 3
  - at: 0s
    submit: { id: gpu, dockerimage: cuda, mem: 64, nodetype: gpu }
expect:
  running: { web: 3 }
  pending: { gpu: 1 }
`;

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'offerlab-cli-'));
  writeFileSync(join(dir, 'small.yaml'), SMALL);
  writeFileSync(join(dir, 'failing.yaml'), SMALL.replace('web: 3', 'web: 4'));
  writeFileSync(join(dir, 'broken.yaml'), SMALL.replace('cpus: 2,', 'cpus: lots,'));
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('cli › run prints a summary, writes --trace and --json, and exits 0', (t) => {
  const trace = join(dir, 'out.jsonl');
  const json = join(dir, 'out.json');
  const r = offerlab('run', join(dir, 'small.yaml'), '--trace', trace, '--json', json);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^small {2}· {2}seed 3 {2}· {2}first-fit \/ charmander/);
  t.regex(r.stdout, /TASK +SLA +RUNNING +PENDING/);
  t.regex(r.stdout, /gpu-000004 {2}NodetypeMismatch on 2 agents \(lab-1, lab-2\)/);
  t.regex(
    r.stdout,
    /invariants {3}✓ no-overcommit {2}✓ one-per-node {2}✓ singleton {2}✓ nodetype {2}✓ ports/,
  );
  t.regex(r.stdout, /result {7}PASS/);
  const digest = /digest {7}([0-9a-f]{64})/.exec(r.stdout)?.[1];
  const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
  t.deepEqual(JSON.parse(lines[lines.length - 1] as string), { t: 300000, type: 'run-finished', digest });
  const result = JSON.parse(readFileSync(json, 'utf8'));
  t.is(result.digest, digest);
  t.is(result.metrics.bySpec.web.running, 3);
});

test('cli › a failed expectation exits 2 and says which', (t) => {
  const r = offerlab('run', join(dir, 'failing.yaml'));
  t.is(r.code, 2);
  t.regex(r.stdout, /✗ running web = 3 \(expected 4\)/);
  t.regex(r.stdout, /result {7}FAIL/);
});

test('cli › a bad scenario exits 1 with file:line:col and no stack trace', (t) => {
  const r = offerlab('run', join(dir, 'broken.yaml'));
  t.is(r.code, 1);
  t.regex(r.stderr, /broken\.yaml:6:49 \/cluster\/agents\/0\/resources\/cpus must be a number/);
  t.notRegex(r.stderr, /\n\s+at /);
});

test('cli › --seed changes the run, the same seed reproduces it', (t) => {
  const digest = (seed: string) =>
    /digest {7}([0-9a-f]{64})/.exec(offerlab('run', join(dir, 'small.yaml'), '--seed', seed).stdout)?.[1];
  const a = digest('5');
  t.truthy(a);
  t.is(digest('5'), a);
  t.not(digest('6'), a);
});

test('cli › several files run one after another; the trace path gets the scenario name', (t) => {
  const trace = join(dir, 'many.jsonl');
  const r = offerlab('run', join(dir, 'small.yaml'), 'scenarios/singleton.yaml', '--trace', trace);
  t.is(r.code, 0, r.stderr);
  t.true(existsSync(join(dir, 'many.small.jsonl')));
  t.true(existsSync(join(dir, 'many.singleton.jsonl')));
});

test('cli › compare prints one table with a column per policy', (t) => {
  const r = offerlab('compare', join(dir, 'small.yaml'), '--policies', 'first-fit,spread', '--seeds', '1..3');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /2 policies × 3 seeds \(1\.\.3\)/);
  t.regex(r.stdout, /METRIC +FIRST-FIT +SPREAD/);
  t.regex(r.stdout, /runs passed +3\/3 +3\/3/);
  t.regex(r.stdout, /latency p50 \(s\)/);
});

test('cli › unknown policies, bad seeds and a missing file are one clear line each', (t) => {
  const policy = offerlab('run', join(dir, 'small.yaml'), '--policy', 'fastest');
  t.is(policy.code, 1);
  t.regex(policy.stderr, /^offerlab: unknown policy "fastest"/);
  const seeds = offerlab('compare', join(dir, 'small.yaml'), '--policies', 'spread', '--seeds', 'many');
  t.is(seeds.code, 1);
  t.regex(seeds.stderr, /--seeds must look like 1\.\.20/);
  const missing = offerlab('run', join(dir, 'nope.yaml'));
  t.is(missing.code, 1);
  t.regex(missing.stderr, /nope\.yaml:1:1 cannot read the scenario: no such file/);
});
