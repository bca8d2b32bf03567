import test from 'ava';
import { request } from 'undici';
import type { AgentSpec } from '../../sim/cluster/types.ts';
import type { Call, Event, Offer, Url } from '../../src/core/mesos/v1.ts';
import { behaviourLabels } from '../../src/core/model/task-behaviour.ts';
import { FakeMaster, type FakeMasterOptions } from '../../src/fake-master/fake-master.ts';
import type { MonitorEntry } from '../../src/fake-master/monitor-json.ts';
import { CONTENT_TYPES, codecFor } from '../../src/mesos-http/codec/codec.ts';
import { RecordIODecoder } from '../../src/mesos-http/codec/recordio.ts';
import { eventually } from '../helpers/wait.ts';

// A real fake master on loopback ports; the simulated agents' /monitor/statistics is read over
// real HTTP at the URL their offers carry. Waits are for conditions, never for durations.

const MB = 1024 * 1024;
const AGENT: AgentSpec = {
  hostname: 'a-1',
  resources: { cpus: 4, mem: 4096, disk: 0, ports: [{ begin: 31000, end: 32000 }] },
  attributes: {},
};

async function withMaster(
  opts: Partial<FakeMasterOptions>,
  fn: (fake: FakeMaster, urls: string[]) => Promise<void>,
): Promise<void> {
  const fake = new FakeMaster({ ports: [0], agents: [AGENT], speed: 50, seed: 1, ...opts });
  try {
    await fn(fake, await fake.start());
  } finally {
    await fake.stop();
  }
}

/** Subscribes over HTTP and returns the stream id, framework id, first offer and a closer. */
async function subscribe(
  base: string,
): Promise<{ streamId: string; fw: string; offer: Offer; close(): void }> {
  const codec = codecFor('json');
  const res = await request(`${base}/api/v1/scheduler`, {
    method: 'POST',
    headers: { 'content-type': CONTENT_TYPES.json, accept: CONTENT_TYPES.json },
    body: codec.encodeCall({
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'lab', name: 'monitor-test', failover_timeout: 60 } },
    }),
    reset: true,
  });
  if (res.statusCode !== 200) throw new Error(`SUBSCRIBE answered ${res.statusCode}`);
  const streamId = String(res.headers['mesos-stream-id']);
  const decoder = new RecordIODecoder();
  let fw: string | undefined;
  // Read with listeners, not `for await`: leaving such a loop would destroy the stream.
  const offer = await new Promise<Offer>((resolve, reject) => {
    res.body.on('data', (chunk: Buffer) => {
      for (const record of decoder.decode(chunk)) {
        const event = codec.decodeEvent(record) as Event;
        if (event.type === 'SUBSCRIBED') fw = event.subscribed.framework_id.value;
        const first = event.type === 'OFFERS' ? event.offers.offers[0] : undefined;
        if (first) resolve(first);
      }
    });
    res.body.once('end', () => reject(new Error('the stream ended before an offer')));
    res.body.once('error', reject);
  });
  if (fw === undefined) throw new Error('no SUBSCRIBED before the offer');
  return { streamId, fw, offer, close: () => res.body.destroy() };
}

/** What a metering client requests for an offer's `url`: `<scheme>://<host>:<port><path>/monitor/statistics`. */
function statisticsUrl(url: Url): string {
  return `${url.scheme}://${url.address.ip ?? url.address.hostname}:${url.address.port}${url.path ?? ''}/monitor/statistics`;
}

async function get(url: string, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; body: string }> {
  const res = await request(url, { method, reset: true });
  return { status: res.statusCode, body: await res.body.text() };
}

test('fake master › offers point at /agents/<id> on the leader; there a ramping task reports growing mem_rss_bytes', async (t) => {
  await withMaster({}, async (_fake, [base = '']) => {
    const { streamId, fw, offer, close } = await subscribe(base);
    t.teardown(close);
    const agentId = offer.agent_id.value;
    const leader = new URL(base);
    t.deepEqual(offer.url, {
      scheme: 'http',
      address: { hostname: leader.hostname, ip: leader.hostname, port: Number(leader.port) },
      path: `/agents/${agentId}`,
    });
    const stats = statisticsUrl(offer.url as Url);
    t.is(stats, `${base}/agents/${agentId}/monitor/statistics`);
    t.deepEqual(JSON.parse((await get(stats)).body), [], 'nothing runs yet');

    const accept: Call = {
      type: 'ACCEPT',
      framework_id: { value: fw },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 'grow-1',
                  task_id: { value: 'grow-1' },
                  agent_id: offer.agent_id,
                  resources: [
                    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
                    { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
                  ],
                  command: { shell: true, value: 'stress --vm 1' },
                  labels: {
                    labels: behaviourLabels({
                      usageMem: { profile: 'ramp', from: 20, to: 100, overMs: 600_000 },
                      usageCpus: 0.5,
                    }),
                  },
                },
              ],
            },
          },
        ],
      },
    };
    const res = await request(`${base}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPES.json, 'mesos-stream-id': streamId },
      body: codecFor('json').encodeCall(accept),
      reset: true,
    });
    t.is(res.statusCode, 202);
    await res.body.text();

    const read = async (): Promise<MonitorEntry | undefined> => {
      const r = await get(stats);
      t.is(r.status, 200);
      return (JSON.parse(r.body) as MonitorEntry[])[0];
    };
    const first = await eventually(read, 'grow-1 in /monitor/statistics');
    t.like(first, {
      framework_id: fw,
      executor_id: 'grow-1',
      source: 'grow-1',
      statistics: { cpus_limit: 1.1, mem_limit_bytes: (128 + 32) * MB },
    });
    t.deepEqual(Object.keys(first.statistics).sort(), [
      'cpus_limit',
      'cpus_system_time_secs',
      'cpus_user_time_secs',
      'mem_limit_bytes',
      'mem_rss_bytes',
      'mem_total_bytes',
      'timestamp',
    ]);
    t.true(first.statistics.mem_rss_bytes >= 20 * MB && first.statistics.mem_rss_bytes < 100 * MB);
    const later = await eventually(async () => {
      const e = await read();
      return e && e.statistics.mem_rss_bytes > first.statistics.mem_rss_bytes ? e : undefined;
    }, 'mem_rss_bytes to grow');
    t.true(later.statistics.timestamp > first.statistics.timestamp);
    t.true(later.statistics.cpus_user_time_secs > first.statistics.cpus_user_time_secs);
    t.true(later.statistics.cpus_system_time_secs > first.statistics.cpus_system_time_secs);
    const s = later.statistics;
    t.true(Math.abs(s.cpus_user_time_secs - 9 * s.cpus_system_time_secs) < 1e-9, 'cpu time split 90/10');
  });
});

test('fake master › /agents/<id>/monitor/statistics answers 404 for an unknown or removed agent, 405 to POST', async (t) => {
  await withMaster({}, async (fake, [base = '']) => {
    const unknown = await get(`${base}/agents/no-such-agent/monitor/statistics`);
    t.is(unknown.status, 404);
    t.is(unknown.body, 'no agent with id "no-such-agent"');
    t.is((await get(`${base}/agents/%E0%A4%A/monitor/statistics`)).status, 404, 'undecodable id');
    const agent = fake.master.agentByHostname('a-1');
    if (!agent) return t.fail('no agent a-1');
    t.is((await get(`${base}/agents/${agent.id}/monitor/statistics`)).status, 200);
    t.is((await get(`${base}/agents/${agent.id}/monitor/statistics`, 'POST')).status, 405);
    t.true(fake.agentLoss('a-1'));
    t.is((await get(`${base}/agents/${agent.id}/monitor/statistics`)).status, 404);
  });
});

test('fake master › every master answers an agent’s /monitor/statistics, followers too', async (t) => {
  await withMaster({ ports: [0, 0] }, async (fake, urls) => {
    const agent = fake.master.agentByHostname('a-1');
    if (!agent) return t.fail('no agent a-1');
    for (const base of urls) {
      const r = await get(`${base}/agents/${agent.id}/monitor/statistics`);
      t.is(r.status, 200, base);
      t.deepEqual(JSON.parse(r.body), []);
    }
  });
});
