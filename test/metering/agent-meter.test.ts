import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { AgentMeter } from '../../src/metering/agent-meter.ts';

/** A stand-in agent on a real socket: answers /monitor/statistics with whatever `body` holds. */
async function agent(
  respond: () => { status: number; body: unknown },
): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url !== '/monitor/statistics') {
      res.writeHead(404).end();
      return;
    }
    const { status, body } = respond();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, hits: () => hits };
}

function entry(task: string, rssMb: number, cpuSecs: number, timestamp: number) {
  return {
    framework_id: 'fw',
    executor_id: task,
    source: task,
    statistics: {
      timestamp,
      mem_rss_bytes: rssMb * 1024 * 1024,
      cpus_user_time_secs: cpuSecs * 0.9,
      cpus_system_time_secs: cpuSecs * 0.1,
    },
  };
}

test('agent meter › reads resident memory in MB and cpus as the rate between two readings', async (t) => {
  let round = 0;
  const a = await agent(() => ({
    status: 200,
    body: round++ === 0 ? [entry('web-000001', 60, 10, 1000)] : [entry('web-000001', 64, 13, 1010)],
  }));
  t.teardown(() => a.server.close());
  const meter = new AgentMeter();
  const metered = new Set(['web-000001']);
  const first = await meter.read([{ agentId: 'S1', baseUrl: a.url }], metered);
  t.deepEqual(first, [{ task: 'web-000001', agentId: 'S1', memMb: 60 }], 'no cpu rate from one reading');
  const second = await meter.read([{ agentId: 'S1', baseUrl: a.url }], metered);
  t.is(second[0]?.memMb, 64);
  t.is(Number(second[0]?.cpus?.toFixed(6)), 0.3, '3 cpu-seconds over 10 seconds');
});

test('agent meter › skips tasks it was not asked to meter (notmetered, other frameworks)', async (t) => {
  const a = await agent(() => ({
    status: 200,
    body: [entry('cadvisor-000001', 30, 1, 5), entry('web-000002', 100, 1, 5), { executor_id: 42 }],
  }));
  t.teardown(() => a.server.close());
  const readings = await new AgentMeter().read(
    [{ agentId: 'S1', baseUrl: `${a.url}/` }],
    new Set(['web-000002']),
  );
  t.deepEqual(
    readings.map((r) => r.task),
    ['web-000002'],
  );
});

test('agent meter › an agent that fails is skipped with a doubling backoff, then read again', async (t) => {
  let now = 0;
  let status = 500;
  const a = await agent(() => ({ status, body: [entry('w-000001', 10, 0, 1)] }));
  t.teardown(() => a.server.close());
  const lines: string[] = [];
  const meter = new AgentMeter({ now: () => now, backoffMs: 1000, log: (l) => lines.push(l) });
  const target = [{ agentId: 'S1', baseUrl: a.url }];
  const metered = new Set(['w-000001']);
  t.deepEqual(await meter.read(target, metered), []);
  t.deepEqual(meter.backingOff(), [{ agentId: 'S1', until: 1000 }]);
  t.regex(lines[0] ?? '', /cannot read .* \(HTTP 500\); next try in 1 s/);
  now = 500;
  await meter.read(target, metered);
  t.is(a.hits(), 1, 'not asked again while backing off');
  now = 1000;
  await meter.read(target, metered);
  t.deepEqual(meter.backingOff(), [{ agentId: 'S1', until: 3000 }], 'the second failure waits twice as long');
  status = 200;
  now = 3000;
  t.is((await meter.read(target, metered)).length, 1);
  t.deepEqual(meter.backingOff(), [], 'a good read clears the backoff');
});

test('agent meter › a dead agent times out without holding up the others', async (t) => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const good = await agent(() => ({ status: 200, body: [entry('w-000001', 10, 0, 1)] }));
  t.teardown(() => good.server.close());
  const meter = new AgentMeter({ timeoutMs: 200 });
  const readings = await meter.read(
    [
      { agentId: 'dead', baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` },
      { agentId: 'S1', baseUrl: good.url },
    ],
    new Set(['w-000001']),
  );
  t.deepEqual(
    readings.map((r) => r.agentId),
    ['S1'],
  );
  t.deepEqual(
    meter.backingOff().map((b) => b.agentId),
    ['dead'],
  );
});
