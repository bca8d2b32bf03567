import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const code = (p: string) => readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');

test('core › reads no ambient time or randomness and does no I/O', (t) => {
  for (const file of files('src/core')) {
    const text = code(file);
    t.notRegex(text, /\bDate\b|Math\.random|performance\.|setTimeout|setInterval|process\./, file);
    t.notRegex(text, /from '(node:|fs|path|crypto|http)/, file);
  }
});

test('core › imports nothing from outside src/core', (t) => {
  for (const file of files('src/core')) {
    for (const m of code(file).matchAll(/from '([^']+)'/g)) {
      const target = join(file, '..', m[1] as string);
      t.true(target.startsWith('src/core/'), `${file} imports ${m[1]}`);
    }
  }
});

test('simulator › reads no wall clock and no Math.random', (t) => {
  for (const file of files('sim'))
    t.notRegex(code(file), /\bDate\b|Math\.random|performance\.|setTimeout|setInterval/, file);
});

test('src › only the composition roots (simulated runs, the fake master) import the simulator', (t) => {
  const importers = files('src').filter((f) => /from '(\.\.\/)+sim\//.test(code(f)));
  t.true(importers.includes('src/run/simulate.ts'));
  t.deepEqual(
    importers.filter(
      (f) => f !== 'src/run/simulate.ts' && f !== 'src/run/sim-meter.ts' && !f.startsWith('src/fake-master/'),
    ),
    [],
  );
});
