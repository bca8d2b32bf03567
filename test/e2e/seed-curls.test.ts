import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const DOC_ADDRESS = '172.31.1.11:7075';

/** The curl commands of Charmander's API documentation, in its order, exactly as written there. */
const CURLS = [
  'curl -i 172.31.1.11:7075/admin/ping',
  'curl -s -X POST -T loadsimulator/stress/stress60mb.json -H "Accept: application/json" -H "Content-Type: application/json" 172.31.1.11:7075/client/task',
  'curl 172.31.1.11:7075/client/task',
  'curl -X DELETE 172.31.1.11:7075/client/task/stress',
  'curl 172.31.1.11:7075/client/task/reshuffle',
];

/** Where the seed document is, next to the repository in the development workspace (not in CI). */
const SEED = '../shared/seeds/000_e1762a5b2a6a49d8.txt';

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
  if (existsSync(SEED)) {
    const documented = readFileSync(SEED, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('curl '));
    t.deepEqual(CURLS, documented, "the commands are the seed document's");
  }
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

  const [ping, submit, list, kill, reshuffle] = CURLS as [string, string, string, string, string];
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
