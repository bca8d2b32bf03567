import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { listenOnLoopback, serveDaemon } from '../helpers/daemon.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Charmander's documentation, run as written: every curl command of the seed document, verbatim
 * except for the address, against a served daemon over a real socket.
 */

const SEED = '../shared/seeds/000_e1762a5b2a6a49d8.txt';
const DOC_ADDRESS = '172.31.1.11:7075';

/** The curl commands of the seed document, in order. */
function seedCurls(): string[] {
  return readFileSync(SEED, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('curl '));
}

/** The stress60mb configuration, from the same document. */
const STRESS60 = {
  id: 'stress60',
  dockerimage: 'stress',
  mem: '100',
  reshuffleable: true,
  nodetype: 'lab',
  arguments: ['--vm-bytes', '60M', '--vm', '1'],
};

test('seed curls › every curl of the Charmander document works against offerlab serve', async (t) => {
  const curls = seedCurls();
  t.is(curls.length, 5, 'ping, submit, list, kill, reshuffle');
  const served = await serveDaemon();
  const dir = mkdtempSync(join(tmpdir(), 'offerlab-curl-'));
  t.teardown(async () => {
    rmSync(dir, { recursive: true, force: true });
    await served.close();
  });
  mkdirSync(join(dir, 'loadsimulator', 'stress'), { recursive: true });
  writeFileSync(join(dir, 'loadsimulator', 'stress', 'stress60mb.json'), JSON.stringify(STRESS60, null, 4));
  const base = await listenOnLoopback(served);
  // Asynchronously: the daemon answering curl runs in this process.
  const run = async (command: string) =>
    (
      await promisify(execFile)('sh', ['-c', command.replace(DOC_ADDRESS, base.replace('http://', ''))], {
        cwd: dir,
        encoding: 'utf8',
      })
    ).stdout;

  const [ping, submit, list, kill, reshuffle] = curls as [string, string, string, string, string];
  const pong = await run(ping);
  t.regex(pong, /^HTTP\/1\.1 200 OK/);
  t.true(pong.endsWith('\r\n\r\npong'), 'a pong');

  t.is(await run(submit), '{"code":202,"message":"Run task: stress60"}');
  await eventually(
    () => (served.daemon.state.liveBySpec.get('stress60')?.size === 1 ? true : undefined),
    'stress60 to launch',
  );

  const tasks = JSON.parse(await run(list)) as { id: string; task: string; agent: string }[];
  t.is(tasks.length, 1);
  t.is(tasks[0]?.id, 'stress60');
  t.regex(tasks[0]?.task ?? '', /^stress60-\d+$/);
  t.regex(tasks[0]?.agent ?? '', /^lab-\d$/, 'on a lab node, as its nodetype asks');

  t.is(await run(kill), `{"code":200,"message":"Kill task: ${tasks[0]?.task}"}\n`);
  t.is(await run(reshuffle), '{"code":202,"message":"Reshuffle tasks"}');
});
