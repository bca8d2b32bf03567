import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runPassed } from '../../src/report/run-result.ts';
import { simulate } from '../../src/run/simulate.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';

const DIR = 'scenarios';
const files = readdirSync(DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

const CONTRACT_KEYS: Record<string, string[]> = {
  'agent-added': ['t', 'type', 'agent', 'hostname', 'resources', 'attributes'],
  'agent-removed': ['t', 'type', 'agent', 'reason'],
  'task-submitted': ['t', 'type', 'task', 'spec'],
  'task-launched': ['t', 'type', 'task', 'agent', 'resources'],
  'task-status': ['t', 'type', 'task', 'state', 'agent', 'reason'],
  'kill-requested': ['t', 'type', 'task'],
  'run-finished': ['t', 'type', 'digest'],
};

test('scenarios › the folder holds the scenarios the engine issue names', (t) => {
  for (const name of [
    'one-per-node.yaml',
    'singleton.yaml',
    'nodetype.yaml',
    'stress-load.yaml',
    'agent-churn.yaml',
    'default.yaml',
  ]) {
    t.true(files.includes(name), name);
  }
});

for (const file of files) {
  test(`scenarios › ${file} meets its expectations with no invariant violated`, (t) => {
    const scenario = loadScenarioFile(join(DIR, file));
    t.true(Object.keys(scenario.expect).length > 0, 'every scenario states expectations');
    const r = simulate(scenario);
    t.deepEqual(r.violations, []);
    t.deepEqual(
      r.expectations.filter((e) => !e.ok),
      [],
    );
    t.true(runPassed(r));
  });

  test(`scenarios › ${file} writes a trace in the DESIGN 2.4 shape, identical on a second run`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'offerlab-trace-'));
    try {
      const scenario = loadScenarioFile(join(DIR, file));
      const a = simulate(scenario, { tracePath: join(dir, 'a.jsonl') });
      const b = simulate(scenario, { tracePath: join(dir, 'b.jsonl') });
      const textA = readFileSync(join(dir, 'a.jsonl'), 'utf8');
      t.is(textA, readFileSync(join(dir, 'b.jsonl'), 'utf8'), 'byte-identical traces');
      t.is(a.digest, b.digest);
      const lines = textA.trimEnd().split('\n');
      const last = JSON.parse(lines[lines.length - 1] as string);
      t.is(last.type, 'run-finished');
      t.is(last.digest, a.digest);
      const hash = createHash('sha256');
      for (const l of lines.slice(0, -1)) hash.update(`${l}\n`);
      t.is(hash.digest('hex'), a.digest, 'the digest hashes every earlier line');
      let previous = 0;
      for (const text of lines) {
        const line = JSON.parse(text) as Record<string, unknown>;
        t.true(
          Number.isInteger(line.t) && (line.t as number) >= previous,
          `t is an integer and never goes back: ${text}`,
        );
        previous = line.t as number;
        const keys = CONTRACT_KEYS[line.type as string];
        if (keys) {
          const extra = Object.keys(line).filter((k) => !keys.includes(k));
          t.deepEqual(extra, [], `no extra fields on ${line.type}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('scenarios › a different seed gives a different trace', (t) => {
  const scenario = loadScenarioFile(join(DIR, 'stress-load.yaml'));
  t.not(simulate(scenario, { seed: 1 }).digest, simulate(scenario, { seed: 2 }).digest);
});
